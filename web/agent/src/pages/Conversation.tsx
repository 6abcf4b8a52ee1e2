// One ticket: header with who/where/state and the actions on it, the live
// thread, the composer, and the contact beside it. Updates carry the version
// they read; when someone else changed the ticket first, the agent sees what
// changed and decides, instead of overwriting.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api, isMissingEndpoint } from "../api";
import { dateTime, t, type MessageKey } from "../i18n";
import { applyConversation, conversationsStore, rememberConversation } from "../inbox";
import { agentName, refreshCounts, teamName, toast, useStore } from "../store";
import type { Conversation, ConversationUpdate, Message, View } from "../types";
import { registerShortcut } from "../ui/Shortcuts";
import { Spinner, errorText } from "../ui/common";
import { Icon } from "../ui/icons";
import { onEvent, watch } from "../ws";
import { Composer } from "./Composer";
import { ContactPanel } from "./ContactPanel";
import { Header } from "./ConversationHeader";
import { Thread } from "./Thread";

export type Change = Omit<ConversationUpdate, "version">;

export function ConversationPane({ id, view }: { id: number; view: View }) {
  const cached = useStore(conversationsStore).get(id);
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState("");
  const [stale, setStale] = useState<{ change: Change; seen: Conversation; current: Conversation } | null>(null);
  const [focusId] = useState(() => Number(new URLSearchParams(location.search).get("m")) || undefined); // from a search hit
  const [panel, setPanel] = useState(() => localStorage.getItem("parley.panel") !== "off" && window.innerWidth >= 1360);

  useEffect(() => {
    let live = true;
    let timer = 0;
    const refreshSoon = () => {
      clearTimeout(timer);
      timer = window.setTimeout(() => api.conversation(id).then((c) => live && applyConversation(c), () => {}), 250);
    };
    api.conversation(id).then((c) => live && rememberConversation(c), (e) => live && setError(errorText(e)));
    loadAllMessages(id, (ms) => live && setMessages(ms)).catch((e) => live && setError(errorText(e)));
    watch(id);
    const off = onEvent((e) => {
      if (e.type === "reconnected") {
        // Events may have been missed: reload quietly, swapping the thread once at the end.
        loadAllMessages(id, (ms) => live && setMessages(ms), false).catch(() => {});
        refreshSoon();
        return;
      }
      const m = e.message;
      if (!m || m.conversation_id !== id) return;
      if (e.type === "message.created" || e.type === "message.updated") setMessages((ms) => upsertMessage(ms ?? [], m));
      // A message moves the ticket's version; without the ticket in the event, fetch it.
      if (!e.conversation) refreshSoon();
    });
    return () => {
      live = false;
      clearTimeout(timer);
      off();
      watch(0);
    };
  }, [id]);

  // Opening a ticket clears its unread badge in this tab: the agent has now seen the messages.
  useEffect(() => {
    if (cached && (cached.unread_count > 0 || cached.unread)) conversationsStore.set((mp) => new Map(mp).set(id, { ...cached, unread_count: 0, unread: false }));
  }, [cached?.unread_count, cached?.unread]);
  useMarkRead(id, messages);

  const update = async (change: Change, base = cached, retried = false): Promise<void> => {
    if (!base) return;
    try {
      const c = await api.updateConversation(id, { ...change, version: base.version });
      applyConversation(c);
      refreshCounts();
      setStale(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && e.details && typeof e.details === "object" && "id" in e.details) {
        const current = rememberConversation(e.details as Conversation);
        applyConversation(current);
        // Only the version moved (a message arrived): nothing the agent saw changed, so apply on top.
        if (describeChanges(base, current).length === 0 && base.version !== current.version && !retried) return update(change, current, true);
        setStale({ change, seen: base, current });
      } else {
        toast(errorText(e), "error");
      }
    }
  };

  useEffect(() => {
    if (!cached) return;
    const offs = [
      registerShortcut("resolve", () => update({ status: cached.status === "resolved" ? "open" : "resolved" })),
      registerShortcut("assign", () => (document.querySelector(".assign-popover > button") as HTMLButtonElement | null)?.click()),
    ];
    return () => offs.forEach((f) => f());
  }, [cached?.version, cached?.status]);

  if (error && !cached) return <div class="pane-error" role="alert">{error}</div>;
  if (!cached) return <div class="pane-loading"><Spinner /></div>;
  const togglePanel = () => {
    localStorage.setItem("parley.panel", panel ? "off" : "on");
    setPanel(!panel);
  };
  return (
    <div class={"conversation" + (panel ? " with-panel" : "")}>
      <div class="conv-main">
        <Header conv={cached} view={view} update={update} panel={panel} togglePanel={togglePanel}
          onMerged={() => loadAllMessages(id, setMessages).catch((e) => toast(errorText(e), "error"))} />
        {stale && <StaleBanner stale={stale} onRetry={() => update(stale.change, stale.current)} onDismiss={() => setStale(null)} />}
        {messages === null ? <div class="pane-loading"><Spinner /></div> : <Thread messages={messages} contact={cached.contact} focusId={focusId} onRetried={(m) => setMessages((ms) => upsertMessage(ms ?? [], m))} />}
        <Composer key={id} conv={cached} messages={messages} onSent={(m) => setMessages((ms) => upsertMessage(ms ?? [], m))} />
      </div>
      {panel && <ContactPanel contactId={cached.contact_id} currentId={cached.id} onClose={togglePanel} />}
    </div>
  );
}

/** loadAllMessages pages through the thread (oldest first), showing each page as it lands when progressive. */
async function loadAllMessages(id: number, show: (ms: Message[]) => void, progressive = true) {
  let all: Message[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.messages(id, cursor, 200);
    all = all.concat(page.items ?? []);
    if (progressive) show(all);
    cursor = page.next_cursor || undefined;
  } while (cursor);
  if (!progressive) show(all);
}

function upsertMessage(ms: Message[], m: Message): Message[] {
  const i = ms.findIndex((x) => x.id === m.id);
  if (i >= 0) {
    const prev = ms[i];
    // Receipts can arrive out of order; never move a status backwards.
    if (new Date(prev.updated_at) > new Date(m.updated_at)) return ms;
    const next = ms.slice();
    next[i] = m;
    return next;
  }
  const next = [...ms, m];
  if (ms.length && m.created_at < ms[ms.length - 1].created_at) next.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  return next;
}

function StaleBanner({ stale, onRetry, onDismiss }: { stale: { change: Change; seen: Conversation; current: Conversation }; onRetry: () => void; onDismiss: () => void }) {
  const diffs = describeChanges(stale.seen, stale.current);
  return (
    <div class="stale" role="alert">
      <Icon name="alert" />
      <div class="stale-body">
        <strong>{t("stale.title")}</strong>
        <ul>{diffs.length ? diffs.map((d) => <li>{d}</li>) : <li>{t("stale.other")}</li>}</ul>
        <p class="muted">{t("stale.notApplied")}</p>
      </div>
      <div class="stale-actions">
        <button type="button" class="btn primary" onClick={onRetry}>{t("stale.apply")}</button>
        <button type="button" class="btn ghost" onClick={onDismiss}>{t("stale.keep")}</button>
      </div>
    </div>
  );
}

function describeChanges(a: Conversation, b: Conversation): string[] {
  const out: string[] = [];
  const field = (label: MessageKey, from: string, to: string) => from !== to && out.push(t("stale.change", { field: t(label), from: from || "—", to: to || "—" }));
  field("field.status", t(("status." + a.status) as MessageKey), t(("status." + b.status) as MessageKey));
  field("filter.priority", t(("priority." + a.priority) as MessageKey), t(("priority." + b.priority) as MessageKey));
  field("filter.assignee", agentName(a.assignee_id) ?? "", agentName(b.assignee_id) ?? "");
  field("filter.team", teamName(a.team_id) ?? "", teamName(b.team_id) ?? "");
  field("filter.tag", (a.tags ?? []).join(", "), (b.tags ?? []).join(", "));
  field("field.snoozedUntil", a.snoozed_until ? dateTime(a.snoozed_until) : "", b.snoozed_until ? dateTime(b.snoozed_until) : "");
  field("field.subject", a.subject ?? "", b.subject ?? "");
  return out;
}

let readMarkers = true; // false once the node says it keeps no read markers

/** useMarkRead tells the node which message this agent has seen: the latest, once the tab is visible. */
function useMarkRead(id: number, messages: Message[] | null) {
  const marked = useRef(0);
  const latest = messages?.length ? messages[messages.length - 1].id : 0;
  useEffect(() => {
    const mark = () => {
      if (!readMarkers || !latest || latest <= marked.current || document.visibilityState !== "visible") return;
      marked.current = latest;
      api.markRead(id, latest).catch((e) => {
        if (isMissingEndpoint(e)) readMarkers = false;
        else marked.current = 0;
      });
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => document.removeEventListener("visibilitychange", mark);
  }, [id, latest]);
}
