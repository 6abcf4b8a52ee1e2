// What the composer needs to know about each platform: its text limit and
// reply window. The server's adapters are the authority (they fit and refuse
// messages); these figures let the agent see the consequence before sending.
import { t } from "./i18n";
import type { Platform } from "./types";

export interface PlatformInfo {
  name: string;
  color: string;
  textLimit: number; // 0 = none
  limitBytes?: boolean; // the limit counts UTF-8 bytes
  split?: boolean; // long text is split into several messages
  windowHours?: number; // free replies only within this many hours of the customer's last message
  afterWindow?: "human_agent" | "template"; // what still works once the window closed
  media?: MediaRules; // absent: the channel sends no files
}

export type MediaKind = "image" | "video" | "audio" | "file";

/** What files a platform accepts: per kind a size limit and, where the platform is picky, the MIME types. */
export interface MediaRules {
  maxFiles: number;
  kinds: Partial<Record<MediaKind, { maxBytes: number; types?: string[] }>>;
}

const MB = 1024 * 1024;
const anyKind = (maxBytes: number, maxFiles = 10): MediaRules => ({
  maxFiles, kinds: { image: { maxBytes }, video: { maxBytes }, audio: { maxBytes }, file: { maxBytes } },
});

export const platforms: Record<Platform, PlatformInfo> = {
  messenger: { name: "Messenger", color: "#0a7cff", textLimit: 2000, split: true, windowHours: 24, afterWindow: "human_agent", media: anyKind(25 * MB) },
  instagram: { name: "Instagram", color: "#d62976", textLimit: 1000, limitBytes: true, split: true, windowHours: 24, afterWindow: "human_agent",
    media: { maxFiles: 10, kinds: {
      image: { maxBytes: 8 * MB, types: ["image/png", "image/jpeg"] },
      video: { maxBytes: 25 * MB, types: ["video/mp4", "video/ogg", "video/avi", "video/quicktime", "video/webm"] },
      audio: { maxBytes: 25 * MB, types: ["audio/aac", "audio/mp4", "audio/x-m4a", "audio/wav", "audio/x-wav"] },
    } } },
  whatsapp: { name: "WhatsApp", color: "#1fa855", textLimit: 4096, split: true, windowHours: 24, afterWindow: "template",
    media: { maxFiles: 10, kinds: {
      image: { maxBytes: 5 * MB, types: ["image/jpeg", "image/png"] },
      video: { maxBytes: 16 * MB, types: ["video/mp4", "video/3gpp"] },
      audio: { maxBytes: 16 * MB, types: ["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"] },
      file: { maxBytes: 100 * MB },
    } } },
  facebook_comments: { get name() { return t("platform.facebook_comments"); }, color: "#1877f2", textLimit: 8000 },
  telegram: { name: "Telegram", color: "#2aa3de", textLimit: 4096, split: true, media: anyKind(50 * MB) },
  email: { get name() { return t("platform.email"); }, color: "#6b6f80", textLimit: 0, media: anyKind(25 * MB, 20) },
  sms: { get name() { return t("platform.sms"); }, color: "#8a5cf6", textLimit: 1600, split: true,
    media: { maxFiles: 10, kinds: { image: { maxBytes: 5 * MB }, video: { maxBytes: 5 * MB }, audio: { maxBytes: 5 * MB } } } },
  widget: { get name() { return t("platform.widget"); }, color: "#f08c00", textLimit: 0, media: anyKind(10 * MB) },
  voice: { get name() { return t("platform.voice"); }, color: "#0f9aa8", textLimit: 0 },
  api: { name: "API", color: "#495057", textLimit: 65536, media: anyKind(25 * MB) },
};

export const platformList = Object.keys(platforms) as Platform[];

export function platformInfo(p: string): PlatformInfo {
  return platforms[p as Platform] ?? { name: p, color: "#6b6f80", textLimit: 0 };
}

/** textLength counts what the platform counts: runes, or UTF-8 bytes. */
export function textLength(p: PlatformInfo, s: string): number {
  if (p.limitBytes) return new TextEncoder().encode(s).length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** replyWindow reports the time left in the platform's reply window, or null if it has none. */
export function replyWindow(p: PlatformInfo, lastInboundAt: string | undefined, now = Date.now()): { open: boolean; remainingMs: number } | null {
  if (!p.windowHours) return null;
  if (!lastInboundAt) return { open: false, remainingMs: 0 };
  const remainingMs = new Date(lastInboundAt).getTime() + p.windowHours * 3600000 - now;
  return { open: remainingMs > 0, remainingMs: Math.max(0, remainingMs) };
}

/** Config and secret fields asked for when connecting a channel of a platform. */
export const channelFields: Record<Platform, { config: string[]; secrets: string[] }> = {
  messenger: { config: ["page_id", "human_agent_enabled"], secrets: ["access_token", "app_secret", "verify_token"] },
  facebook_comments: { config: ["page_id"], secrets: ["access_token", "app_secret", "verify_token"] },
  instagram: { config: ["ig_account_id", "human_agent_enabled"], secrets: ["access_token", "app_secret", "verify_token"] },
  whatsapp: { config: ["phone_number_id", "waba_id"], secrets: ["access_token", "app_secret", "verify_token"] },
  email: {
    config: ["from_address", "from_name", "imap_host", "imap_port", "imap_username", "smtp_host", "smtp_port", "smtp_username"],
    secrets: ["imap_password", "smtp_password"],
  },
  api: { config: ["webhook_url", "trust_identities"], secrets: ["secret"] },
  telegram: { config: [], secrets: ["bot_token", "webhook_secret"] },
  sms: { config: ["from_number"], secrets: ["account_sid", "auth_token"] },
  widget: { config: ["allowed_origins"], secrets: [] },
  voice: { config: ["number"], secrets: ["auth_token"] },
};
