// Message catalogs. Every string the UI shows comes from here; the agent's
// language (me.language) picks the catalog, English fills any gap.
import { en, type MessageKey } from "./locales/en";
import { zhCN } from "./locales/zh-CN";

export type { MessageKey };
export type Language = "en" | "zh-CN";
export const languages: { code: Language; label: string }[] = [
  { code: "en", label: "English" },
  { code: "zh-CN", label: "简体中文" },
];

const catalogs: Record<Language, Record<MessageKey, string>> = { en, "zh-CN": zhCN };
let current: Language = pickLanguage(navigator.language);
document.documentElement.lang = current;
const listeners = new Set<() => void>();

export function pickLanguage(tag: string | undefined): Language {
  return tag && tag.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

export function setLanguage(lang: string | undefined) {
  const next = pickLanguage(lang);
  if (next === current) return;
  current = next;
  document.documentElement.lang = next;
  listeners.forEach((f) => f());
}

export function language(): Language {
  return current;
}

export function onLanguageChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** t looks up a message and fills {name} placeholders. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  let s = catalogs[current][key] ?? en[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  return s;
}

// Intl formatters are slow to build (≈0.5 ms each) and an inbox page formats a hundred times: keep one per language and style.
const formatters = new Map<string, Intl.RelativeTimeFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.RelativeTimeFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  const k = current + "|" + key;
  let f = formatters.get(k);
  if (!f) formatters.set(k, (f = make()));
  return f as T;
}
const rtf = () => cached("rtf", () => new Intl.RelativeTimeFormat(current, { numeric: "auto", style: "narrow" }));

/** ago renders a compact relative time ("5 min ago"). */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "";
  const secs = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(secs);
  if (abs < 45) return t("time.now");
  if (abs < 3600) return rtf().format(Math.round(secs / 60), "minute");
  if (abs < 86400) return rtf().format(Math.round(secs / 3600), "hour");
  if (abs < 86400 * 30) return rtf().format(Math.round(secs / 86400), "day");
  return dateTime(iso, false);
}

/** duration renders a span of milliseconds as "5h 12m". */
export function duration(ms: number): string {
  const mins = Math.max(0, Math.round(ms / 60000));
  const h = Math.floor(mins / 60);
  const m = mins % 60;
  if (h >= 24) return t("time.dh", { d: Math.floor(h / 24), h: h % 24 });
  if (h > 0) return t("time.hm", { h, m });
  return t("time.m", { m });
}

export function dateTime(iso: string, withTime = true): string {
  const d = new Date(iso);
  return cached(withTime ? "dt" : "d", () => new Intl.DateTimeFormat(current, withTime
    ? { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }
    : { year: "numeric", month: "short", day: "numeric" })).format(d);
}

export function time(iso: string): string {
  return cached("t", () => new Intl.DateTimeFormat(current, { hour: "2-digit", minute: "2-digit" })).format(new Date(iso));
}

export function dayLabel(iso: string): string {
  const d = new Date(iso);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86400000);
  if (d.toDateString() === today.toDateString()) return t("time.today");
  if (d.toDateString() === yesterday.toDateString()) return t("time.yesterday");
  return cached("day", () => new Intl.DateTimeFormat(current, { weekday: "long", month: "long", day: "numeric" })).format(d);
}
