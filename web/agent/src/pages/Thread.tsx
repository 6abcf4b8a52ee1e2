// The message thread: every message with its channel, author, delivery
// status and attachments; notes and activity lines set apart. Virtualised,
// so a thread of thousands of messages scrolls as fast as a short one.
import { useMemo, useState } from "preact/hooks";
import { api } from "../api";
import { dateTime, dayLabel, t, time, type MessageKey } from "../i18n";
import { platformInfo } from "../platforms";
import { agentName, agentsStore, channelById, createStore, teamsStore, toast, useStore } from "../store";
import { formatBytes } from "../uploads";
import { activityText } from "../activity";
import type { Attachment, Contact, Message } from "../types";
import { VirtualList } from "../ui/VirtualList";
import { Modal, errorText } from "../ui/common";
import { Icon, PlatformIcon } from "../ui/icons";
import { EmailFolds, EmailHeader } from "./EmailParts";

type Row = { kind: "day"; key: string; label: string } | { kind: "msg"; key: number; m: Message; showAuthor: boolean };

export function Thread({ messages, contact, onRetried, focusId }: { messages: Message[]; contact?: Contact; onRetried: (m: Message) => void; focusId?: number }) {
  const rows = useMemo(() => buildRows(messages), [messages]);
  useStore(agentsStore); // names of authors and assignees appear once the directory has loaded
  useStore(teamsStore);
  const found = focusId !== undefined && messages.some((m) => m.id === focusId);
  return (
    <VirtualList
      class="thread"
      label={t("thread.label")}
      items={rows}
      keyOf={(r) => r.key}
      stickToBottom={!found}
      scrollToKey={found ? focusId : undefined}
      jumpLabel={t("thread.latest")}
      estimate={(r) => (r.kind === "day" ? 44 : r.m.kind === "activity" ? 32 : 84 + (r.m.attachments?.length ?? 0) * 120 + Math.floor(r.m.body.length / 60) * 20)}
      render={(r) => (r.kind === "day" ? <div class="day-sep"><span>{r.label}</span></div> : <MessageView m={r.m} showAuthor={r.showAuthor} contact={contact} onRetried={onRetried} focused={r.m.id === focusId} />)}
    />
  );
}

function buildRows(messages: Message[]): Row[] {
  const rows: Row[] = [];
  let lastDay = "";
  let prev: Message | undefined;
  for (const m of messages) {
    const at = m.sent_at ?? m.created_at;
    const day = new Date(at).toDateString();
    if (day !== lastDay) {
      rows.push({ kind: "day", key: "d" + day, label: dayLabel(at) });
      lastDay = day;
      prev = undefined;
    }
    const sameAuthor = prev && prev.direction === m.direction && prev.author_agent_id === m.author_agent_id && prev.kind === m.kind &&
      new Date(at).getTime() - new Date(prev.sent_at ?? prev.created_at).getTime() < 5 * 60000;
    rows.push({ kind: "msg", key: m.id, m, showAuthor: !sameAuthor });
    prev = m.kind === "activity" ? undefined : m;
  }
  return rows;
}

function MessageView({ m, showAuthor, contact, onRetried, focused }: { m: Message; showAuthor: boolean; contact?: Contact; onRetried: (m: Message) => void; focused?: boolean }) {
  const at = m.sent_at ?? m.created_at;
  if (m.kind === "activity") {
    return (
      <div class="activity-line" data-message={m.id} data-action={m.metadata?.action}>
        <span>{activityText(m)}</span>
        {m.author_agent_id && agentName(m.author_agent_id) && <span class="muted">{t("activity.by", { name: agentName(m.author_agent_id)! })}</span>}
        <time dateTime={at} title={dateTime(at)}>{time(at)}</time>
      </div>
    );
  }
  const note = m.kind === "note";
  const side = note ? "note" : m.direction === "in" ? "in" : "out";
  const author = m.direction === "in" ? contact?.name || t("contact.unknown") : agentName(m.author_agent_id) ?? (m.author_agent_id ? "" : t("message.system"));
  const channel = channelById(m.channel_id);
  return (
    <div class={"msg " + side + (m.status === "failed" ? " failed" : "") + (focused ? " focused" : "")} data-message={m.id}>
      {showAuthor && (
        <div class="msg-author">
          {note && <span class="note-label"><Icon name="note" size={12} />{t("message.note")}</span>}
          <span>{author}</span>
        </div>
      )}
      <div class="bubble">
        {m.kind === "template" && <div class="msg-template"><Icon name="note" size={12} />{t("template.sent", { name: m.metadata?.template_name ?? "" })}</div>}
        <EmailHeader m={m} />
        {m.body && <div class="msg-text">{linkify(m.body)}</div>}
        <EmailFolds m={m} />
        {(m.attachments ?? []).map((a) => <AttachmentView a={a} />)}
      </div>
      <div class="msg-foot">
        {!note && (
          <span class="msg-channel" title={channel?.name ?? platformInfo(m.platform).name}>
            <PlatformIcon platform={m.platform} size={12} label={false} />
            {channel?.name ?? platformInfo(m.platform).name}
          </span>
        )}
        <time dateTime={at} title={dateTime(at)}>{time(at)}</time>
        {m.direction === "out" && !note && <DeliveryStatus m={m} onRetried={onRetried} />}
      </div>
    </div>
  );
}

function DeliveryStatus({ m, onRetried }: { m: Message; onRetried: (m: Message) => void }) {
  const [busy, setBusy] = useState(false);
  const label = t(("delivery." + m.status) as MessageKey);
  if (m.status === "failed") {
    const retry = async () => {
      setBusy(true);
      try {
        onRetried(await api.retry(m.id));
      } catch (e) {
        toast(errorText(e), "error");
      } finally {
        setBusy(false);
      }
    };
    return (
      <span class="delivery failed" role="status">
        <Icon name="alert" size={12} />
        <span>{label}{m.failure_reason ? ": " + m.failure_reason : ""}</span>
        <button type="button" class="link-btn" onClick={retry} disabled={busy}><Icon name="retry" size={12} />{t("delivery.retry")}</button>
      </span>
    );
  }
  const icon = m.status === "queued" || m.status === "sending" ? "clock" : m.status === "sent" ? "check" : "checks";
  return (
    <span class={"delivery " + m.status} title={m.attempts && m.attempts > 1 ? t("delivery.attempts", { count: m.attempts }) : label}>
      <Icon name={icon} size={12} />
      <span>{label}</span>
    </span>
  );
}

/** attachmentURL is where the browser can load an attachment: the node's copy, else a platform link (never script). */
function attachmentURL(a: Attachment): string | null {
  if (a.storage_key) return safeURL(a.url ?? "/api/v1/files/" + encodeURIComponent(a.storage_key));
  return safeURL(a.url) ?? (a.url?.startsWith("data:image/") ? a.url : null);
}

function AttachmentView({ a }: { a: Attachment }) {
  const url = attachmentURL(a);
  const name = a.filename || a.caption || t(("attachment." + (["image", "video", "audio"].includes(a.type) ? a.type : "file")) as MessageKey);
  // The server's type wins: it calls an SVG a file, since a picture must not carry script.
  const kind = a.type || (a.content_type ?? "").split("/")[0];
  const isImage = kind === "image" || kind === "sticker";
  if (!url) {
    // Inbound media the node has not fetched yet: a message.updated event brings its copy.
    return (
      <span class={"att-file " + (a.fetch_error ? "att-failed" : "att-pending")} role="status" title={a.fetch_error}>
        <Icon name={a.fetch_error ? "alert" : isImage ? "eye" : "file"} />
        <span class="att-name">{name}</span>
        <span class="att-size">{t(a.fetch_error ? "attachment.fetchFailed" : "attachment.fetching")}</span>
      </span>
    );
  }
  if (isImage) {
    return (
      <a class="att-image" href={url} target="_blank" rel="noopener noreferrer" aria-label={t("attachment.open", { name })}
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey || e.shiftKey) return;
          e.preventDefault();
          lightboxStore.set({ url, alt: a.caption || name, name, download: url });
        }}>
        <img src={url} alt={a.caption || name} loading="lazy" decoding="async" />
      </a>
    );
  }
  if (kind === "video") return <video class="att-video" src={url} controls preload="metadata" aria-label={name} />;
  if (kind === "audio") return <audio class="att-audio" src={url} controls preload="metadata" aria-label={name} />;
  // Files are served under "CSP: sandbox", which some viewers (Chrome's PDF viewer) refuse to show inline:
  // Download always works, Open is offered for what the browser can show.
  return (
    <span class="att-file">
      <Icon name="file" />
      <a class="att-open" href={url} target="_blank" rel="noopener noreferrer" title={t("attachment.open", { name })}>
        <span class="att-name">{name}</span>
      </a>
      {a.size ? <span class="att-size">{formatBytes(a.size)}</span> : null}
      <a class="att-download" href={url} download={a.filename || name} aria-label={t("attachment.downloadName", { name })} title={t("attachment.downloadName", { name })}>
        <Icon name="download" size={14} />
      </a>
    </span>
  );
}

export const lightboxStore = createStore<{ url: string; alt: string; name: string; download: string } | null>(null);

/** Lightbox shows one image at full size over the workspace; Escape or a click outside closes it. */
export function Lightbox() {
  const shown = useStore(lightboxStore);
  if (!shown) return null;
  return (
    <Modal title={shown.name} onClose={() => lightboxStore.set(null)} wide>
      <div class="lightbox">
        <img src={shown.url} alt={shown.alt} />
        <a class="btn small" href={shown.download} target="_blank" rel="noopener noreferrer" download>{t("attachment.download")}</a>
      </div>
    </Modal>
  );
}

/** safeURL allows only http(s), relative and blob URLs, so a message cannot smuggle javascript: links. */
export function safeURL(u: string | undefined): string | null {
  if (!u) return null;
  try {
    const parsed = new URL(u, location.href);
    return ["http:", "https:", "blob:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

const urlPattern = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g;

/** linkify turns URLs in plain text into links; everything else stays text. */
function linkify(text: string) {
  const out: (string | preact.JSX.Element)[] = [];
  let last = 0;
  for (const match of text.matchAll(urlPattern)) {
    const i = match.index ?? 0;
    if (i > last) out.push(text.slice(last, i));
    out.push(<a href={match[0]} target="_blank" rel="noopener noreferrer nofollow">{match[0]}</a>);
    last = i + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
