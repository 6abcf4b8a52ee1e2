// Public or private answer to a Facebook/Instagram comment thread. Meta
// allows one private (Messenger/Direct) reply per comment, within 7 days of
// it; the choice travels as metadata reply_mode on the reply.
import { t } from "../i18n";
import type { Conversation, Message } from "../types";

export type ReplyMode = "public" | "private";

const privateWindowMs = 7 * 24 * 3600000;

/** isCommentThread tells whether the ticket is a comment thread (Facebook Page comments, or Instagram comments). */
export function isCommentThread(conv: Conversation, messages: Message[] | null | undefined): boolean {
  if (conv.platform === "facebook_comments") return true;
  if (conv.platform !== "instagram") return false;
  return !!messages?.some((m) => m.direction === "in" && !!m.metadata?.comment_id);
}

/** privateBlocked says why a private reply cannot go out, or null when it can. */
export function privateBlocked(conv: Conversation, messages: Message[] | null | undefined, now: number): string | null {
  const sent = messages?.some((m) => m.direction === "out" && m.metadata?.reply_mode === "private" && m.status !== "failed");
  if (sent) return t("replyMode.alreadySent");
  if (!conv.last_inbound_at || now - new Date(conv.last_inbound_at).getTime() > privateWindowMs) return t("replyMode.expired");
  return null;
}

export function ReplyModeToggle({ mode, setMode, blocked }: { mode: ReplyMode; setMode: (m: ReplyMode) => void; blocked: string | null }) {
  return (
    <div class="reply-mode" role="radiogroup" aria-label={t("replyMode.label")}>
      <label>
        <input type="radio" name="reply-mode" value="public" checked={mode === "public"} onChange={() => setMode("public")} />
        {t("replyMode.public")}
      </label>
      <label class={blocked ? "disabled" : ""} title={blocked ?? undefined}>
        <input type="radio" name="reply-mode" value="private" checked={mode === "private"} disabled={!!blocked} onChange={() => setMode("private")} />
        {t("replyMode.private")}
      </label>
      {blocked && <span class="reply-mode-why">{blocked}</span>}
    </div>
  );
}
