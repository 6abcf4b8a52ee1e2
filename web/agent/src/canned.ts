// Canned replies. The server has no endpoint for them yet, so a small list
// lives in the browser (editable later); {name} and {agent} are filled in.
import { t } from "./i18n";

export interface CannedReply {
  shortcut: string;
  text: string;
}

export function cannedReplies(): CannedReply[] {
  try {
    const own = JSON.parse(localStorage.getItem("parley.canned") ?? "null");
    if (Array.isArray(own)) return own;
  } catch {
    /* fall back to the defaults */
  }
  return [
    { shortcut: "hello", text: t("canned.hello") },
    { shortcut: "thanks", text: t("canned.thanks") },
    { shortcut: "wait", text: t("canned.wait") },
    { shortcut: "order", text: t("canned.order") },
    { shortcut: "refund", text: t("canned.refund") },
    { shortcut: "bye", text: t("canned.bye") },
  ];
}

export function fillCanned(text: string, vars: { name?: string; agent?: string }): string {
  return text.replace(/\{(name|agent)\}/g, (_, k: "name" | "agent") => vars[k] ?? "");
}
