// The reply box: reply or private note, the channel's length limit and reply
// window shown before sending, canned replies on "/", Ctrl/⌘+Enter to send.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { cannedStore, fillCanned, loadCanned, matchCanned, textFor } from "../canned";
import { duration, t } from "../i18n";
import { platformInfo, replyWindow, textLength } from "../platforms";
import { meStore, toast, useStore } from "../store";
import type { Conversation, Message } from "../types";
import { registerShortcut } from "../ui/Shortcuts";
import { errorText } from "../ui/common";
import { Icon, PlatformIcon } from "../ui/icons";
import { typing } from "../ws";
import { rulesText, uploadsAvailable } from "../uploads";
import { channelTemplates } from "../templates";
import { TemplatePicker } from "./TemplatePicker";
import { AttachButton, FileChips, useDropTarget, useFiles, type PendingFile } from "./ComposerFiles";
import { isCommentThread, privateBlocked, ReplyModeToggle, type ReplyMode } from "./ReplyMode";

const drafts = new Map<number, { text: string; mode: "text" | "note"; files: PendingFile[] }>();

export function Composer({ conv, onSent, messages }: { conv: Conversation; onSent: (m: Message) => void; messages?: Message[] | null }) {
  const me = useStore(meStore)!;
  const saved = drafts.get(conv.id);
  const [text, setText] = useState(saved?.text ?? "");
  const [mode, setMode] = useState<"text" | "note">(saved?.mode ?? "text");
  const [busy, setBusy] = useState(false);
  const [replyMode, setReplyMode] = useState<ReplyMode>("public");
  const [pick, setPick] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);
  const [now, setNow] = useState(Date.now());
  const info = platformInfo(conv.platform);
  const files = useFiles(info, saved?.files.filter((f) => f.state === "done"));
  const canAttach = useStore(uploadsAvailable) && !!info.media;
  const drop = useDropTarget(canAttach, files.add);
  const usesTemplates = info.afterWindow === "template";
  const [templatesOffered, setTemplatesOffered] = useState(false);
  const [picking, setPicking] = useState(false);
  useEffect(() => {
    if (usesTemplates) channelTemplates(conv.channel_id).then((ts) => setTemplatesOffered(ts !== null), () => setTemplatesOffered(true));
  }, [conv.channel_id]);

  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 30000);
    return () => clearInterval(id);
  }, []);
  useEffect(() => {
    drafts.set(conv.id, { text, mode, files: files.files });
  }, [text, mode, files.files]);
  useEffect(() => {
    const focus = (m: "text" | "note") => () => {
      setMode(m);
      area.current?.focus();
    };
    const offs = [registerShortcut("reply", focus("text")), registerShortcut("note", focus("note"))];
    return () => offs.forEach((f) => f());
  }, []);
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = Math.min(240, el.scrollHeight) + "px";
  }, [text]);

  const length = textLength(info, text);
  const over = mode === "text" && info.textLimit > 0 && length > info.textLimit;
  const parts = over && info.split ? Math.ceil(length / info.textLimit) : 1;
  const win = mode === "text" ? replyWindow(info, conv.last_inbound_at, now) : null;
  const comments = mode === "text" && isCommentThread(conv, messages);
  const blocked = comments ? privateBlocked(conv, messages, now) : null;
  const sendMode: ReplyMode = comments && replyMode === "private" && !blocked ? "private" : "public";

  // "/word" at the start of the box or after a space opens the canned replies.
  const slash = /(?:^|\s)\/(\S*)$/.exec(text);
  const cannedList = useStore(cannedStore);
  useEffect(() => {
    if (slash) loadCanned();
  }, [slash !== null]);
  const canned = useMemo(() => (slash && cannedList ? matchCanned(cannedList, slash[1], conv.platform).slice(0, 6) : []), [slash?.[1], slash !== null, cannedList]);
  const insertCanned = (i: number) => {
    const c = canned[i];
    if (!c || !slash) return;
    const start = text.length - slash[0].length + (slash[0].startsWith("/") ? 0 : 1);
    setText(text.slice(0, start) + fillCanned(textFor(c, conv.platform), { name: conv.contact?.name?.split(" ")[0], agent: me.name.split(" ")[0] }));
    setPick(0);
    area.current?.focus();
  };

  const send = async () => {
    const body = text.trim();
    if ((!body && !files.ready.length) || busy || files.uploading) return;
    setBusy(true);
    try {
      const metadata = comments ? { reply_mode: sendMode } : undefined;
      const m = await api.send(conv.id, { body, kind: mode, attachments: files.ready.length ? files.ready : undefined, metadata });
      onSent(m);
      setText("");
      files.clear();
      drafts.delete(conv.id);
    } catch (e) {
      toast(errorText(e), "error");
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (canned.length) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        setPick((p) => (p + (e.key === "ArrowDown" ? 1 : canned.length - 1)) % canned.length);
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        insertCanned(pick);
        return;
      }
    }
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      send();
    }
    if (e.key === "Escape") area.current?.blur();
  };

  return (
    <div class={"composer" + (mode === "note" ? " note-mode" : "") + (drop.over ? " drop-over" : "")} {...drop.props}>
      <div class="composer-tabs" role="tablist" aria-label={t("composer.mode")}>
        <button type="button" role="tab" aria-selected={mode === "text"} class={mode === "text" ? "on" : ""} onClick={() => setMode("text")}>
          <PlatformIcon platform={conv.platform} size={14} label={false} />
          {t("composer.reply", { channel: info.name })}
        </button>
        <button type="button" role="tab" aria-selected={mode === "note"} class={mode === "note" ? "on" : ""} onClick={() => setMode("note")}>
          <Icon name="note" size={14} />
          {t("composer.note")}
        </button>
        <span class="spacer" />
        {win && <WindowBadge open={win.open} remainingMs={win.remainingMs} />}
      </div>
      {win && !win.open && (
        <p class="composer-warn" role="note">
          <Icon name="alert" size={14} />
          {info.afterWindow === "template"
            ? <>{t("window.closedTemplate", { channel: info.name })}{templatesOffered && <button type="button" class="link-btn" onClick={() => setPicking(true)}>{t("template.choose")}</button>}</>
            : pastHumanAgent(conv.last_inbound_at, now)
              ? t("window.closedAll", { channel: info.name })
              : t("window.closedHumanAgent", { channel: info.name })}
        </p>
      )}
      {comments && <ReplyModeToggle mode={sendMode} setMode={setReplyMode} blocked={blocked} />}
      {canned.length > 0 && (
        <ul class="canned" role="listbox" aria-label={t("canned.label")}>
          {canned.map((c, i) => (
            <li role="option" aria-selected={i === pick} class={i === pick ? "on" : ""} onMouseDown={(e) => { e.preventDefault(); insertCanned(i); }}>
              <span class="canned-key">/{c.shortcut}</span>
              <span class="canned-text">{textFor(c, conv.platform)}</span>
            </li>
          ))}
        </ul>
      )}
      <label class="sr-only" for="composer-text">{mode === "note" ? t("composer.notePlaceholder") : t("composer.placeholder")}</label>
      <textarea id="composer-text" ref={area} rows={3} value={text} disabled={busy}
        placeholder={mode === "note" ? t("composer.notePlaceholder") : t("composer.placeholder")}
        onInput={(e) => {
          setText(e.currentTarget.value);
          setPick(0);
          if (mode === "text") typing(conv.id);
        }}
        onKeyDown={onKeyDown}
        onPaste={(e) => {
          const pasted = [...(e.clipboardData?.files ?? [])];
          if (!pasted.length || !canAttach) return;
          e.preventDefault();
          files.add(pasted);
        }} />
      <FileChips files={files.files} remove={files.remove} />
      {(drop.over || files.files.length > 0) && <p class="upload-rules">{rulesText(info)}</p>}
      {picking && <TemplatePicker conv={conv} onClose={() => setPicking(false)} onSent={onSent} />}
      {drop.over && <div class="drop-hint" aria-hidden="true">{t("upload.drop")}</div>}
      <div class="composer-foot">
        {mode === "text" && info.textLimit > 0 ? (
          <span class={"char-count" + (over ? " over" : length > info.textLimit * 0.9 ? " near" : "")} aria-live="polite">
            {t(info.limitBytes ? "composer.bytes" : "composer.chars", { n: length, max: info.textLimit })}
          </span>
        ) : (
          <span class="char-count">{t("composer.charsNoLimit", { n: length })}</span>
        )}
        {over && (
          <span class={"split-warn" + (info.split ? "" : " bad")}>
            {info.split ? t("composer.split", { parts }) : t("composer.tooLong", { channel: info.name })}
          </span>
        )}
        <span class="spacer" />
        <span class="hint">{t("composer.hint")}</span>
        <AttachButton info={info} onFiles={files.add} />
        {usesTemplates && templatesOffered && mode === "text" && (
          <button type="button" class="btn ghost template-btn" onClick={() => setPicking(true)}>{t("template.button")}</button>
        )}
        <button type="button" class={"btn " + (mode === "note" ? "note" : "primary")} onClick={send} disabled={busy || files.uploading || (!text.trim() && !files.ready.length) || (over && !info.split)}>
          <Icon name={mode === "note" ? "note" : "send"} />
          {mode === "note" ? t("composer.addNote") : t("composer.send")}
        </button>
      </div>
    </div>
  );
}

function WindowBadge({ open, remainingMs }: { open: boolean; remainingMs: number }) {
  const low = open && remainingMs < 2 * 3600000;
  return (
    <span class={"window-badge" + (open ? (low ? " low" : "") : " closed")} title={t("window.explain")}>
      <Icon name="clock" size={12} />
      {open ? t("window.left", { time: duration(remainingMs) }) : t("window.closed")}
    </span>
  );
}

/** pastHumanAgent tells whether even the 7-day human-agent extension has run out. */
function pastHumanAgent(lastInboundAt: string | undefined, now: number): boolean {
  return !lastInboundAt || now - new Date(lastInboundAt).getTime() > 7 * 24 * 3600000;
}
