// Texts of the widget in its two locales.
const en = {
  open: "Open chat",
  close: "Minimise chat",
  placeholder: "Write a message…",
  send: "Send",
  attach: "Attach a file",
  online: "We reply in a few minutes",
  offline: "We're away right now",
  offlineNote: "Leave your email and we'll reply by email as soon as we're back.",
  nextOpen: "Back {when}",
  start: "Start chat",
  save: "Save",
  name: "Name",
  email: "Email",
  phone: "Phone",
  company: "Company",
  required: "required",
  typing: "{name} is typing…",
  seen: "Seen",
  sending: "Sending…",
  failed: "Not sent. Tap to retry.",
  reconnecting: "Reconnecting…",
  tooLarge: "That file is too large.",
  badType: "That type of file can't be sent here.",
  uploadFailed: "The file could not be uploaded.",
  invalidEmail: "Please enter a valid email address.",
  error: "Something went wrong. Please try again.",
  you: "You",
  unread: "{n} unread",
};

export type Texts = typeof en;

const zh: Texts = {
  open: "打开聊天",
  close: "最小化聊天",
  placeholder: "输入消息…",
  send: "发送",
  attach: "添加文件",
  online: "我们通常几分钟内回复",
  offline: "我们暂时不在线",
  offlineNote: "请留下邮箱，我们回来后会通过邮件回复您。",
  nextOpen: "{when} 恢复服务",
  start: "开始聊天",
  save: "保存",
  name: "姓名",
  email: "邮箱",
  phone: "电话",
  company: "公司",
  required: "必填",
  typing: "{name} 正在输入…",
  seen: "已读",
  sending: "发送中…",
  failed: "发送失败，点击重试。",
  reconnecting: "正在重新连接…",
  tooLarge: "文件太大。",
  badType: "不支持此类型的文件。",
  uploadFailed: "文件上传失败。",
  invalidEmail: "请输入有效的邮箱地址。",
  error: "出错了，请重试。",
  you: "您",
  unread: "{n} 条未读",
};

export function texts(locale: string): Texts {
  return locale === "zh-CN" ? zh : en;
}

export function pickLocale(configured: string, override: string | null): string {
  const want = override || configured;
  if (want === "en" || want === "zh-CN") return want;
  const nav = (navigator.language || "en").toLowerCase();
  return nav.startsWith("zh") ? "zh-CN" : "en";
}

export function fill(s: string, vars: Record<string, string | number>): string {
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}
