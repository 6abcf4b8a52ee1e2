// One ticket: header with who/where/state and the actions on it, the live
// thread, the composer, and the contact beside it. Updates carry the version
// they read; when someone else changed the ticket first, the agent sees what
// changed and decides, instead of overwriting.
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { dateTime, t, type MessageKey } from "../i18n";
import { conversationsStore, rememberConversation, applyConversation } from "../inbox";
import { platformInfo } from "../platforms";
import { navigate } from "../router";
import { agentName, agentsStore, channelById, meStore, refreshCounts, tagsStore, teamName, teamsStore, toast, useStore, viewersStore } from "../store";
import type { Conversation, ConversationUpdate, Message, Priority, View } from "../types";
import { registerShortcut } from "../ui/Shortcuts";
import { Avatar, Modal, Popover, Spinner, StatusPill, errorText } from "../ui/common";
import { Icon, PlatformIcon } from "../ui/icons";
import { onEvent, watch } from "../ws";
import { Composer } from "./Composer";
import { ContactPanel } from "./ContactPanel";
import { Thread } from "./Thread";

type Change = Omit<ConversationUpdate, "version">;

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
        loadAllMessages(id, (ms) => live && setMessages(ms));
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
    if (cached && cached.unread_count > 0) conversationsStore.set((mp) => new Map(mp).set(id, { ...cached, unread_count: 0 }));
  }, [cached?.unread_count]);

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
        <Composer key={id} conv={cached} onSent={(m) => setMessages((ms) => upsertMessage(ms ?? [], m))} />
      </div>
      {panel && <ContactPanel contactId={cached.contact_id} currentId={cached.id} onClose={togglePanel} />}
    </div>
  );
}

/** loadAllMessages pages through the thread (oldest first), showing each page as it lands. */
async function loadAllMessages(id: number, show: (ms: Message[]) => void) {
  let all: Message[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.messages(id, cursor, 200);
    all = all.concat(page.items ?? []);
    show(all);
    cursor = page.next_cursor || undefined;
  } while (cursor);
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

function Header({ conv, view, update, panel, togglePanel, onMerged }: {
  conv: Conversation; view: View; update: (c: Change) => void; panel: boolean; togglePanel: () => void; onMerged: () => void;
}) {
  const channel = channelById(conv.channel_id);
  const name = conv.contact?.name || t("contact.unknown");
  const [merging, setMerging] = useState(false);
  const resolved = conv.status === "resolved" || conv.status === "closed";
  return (
    <header class="conv-head">
      <div class="conv-head-row">
        <button type="button" class="btn ghost icon-only back" aria-label={t("common.back")} onClick={() => navigate("/inbox/" + view)}>
          <Icon name="chevronLeft" />
        </button>
        <div class="conv-title">
          <h2>
            <span>{name}</span>
            <span class="conv-number">#{conv.number}</span>
          </h2>
          <div class="conv-sub">
            <PlatformIcon platform={conv.platform} size={14} />
            <span>{channel?.name ?? platformInfo(conv.platform).name}</span>
            <StatusPill status={conv.status} />
            {conv.status === "snoozed" && conv.snoozed_until && <span class="muted">{t("snooze.until", { time: dateTime(conv.snoozed_until) })}</span>}
            <Viewers id={conv.id} />
          </div>
        </div>
        <div class="conv-actions">
          <AssignMenu conv={conv} update={update} />
          <PriorityMenu conv={conv} update={update} />
          <SnoozeMenu update={update} />
          {resolved ? (
            <button type="button" class="btn" onClick={() => update({ status: "open" })}><Icon name="reopen" />{t("action.reopen")}</button>
          ) : (
            <button type="button" class="btn primary" onClick={() => update({ status: "resolved" })} title={t("action.resolve") + " (e)"}><Icon name="check" />{t("action.resolve")}</button>
          )}
          <Popover label={t("action.more")} align="right" button={<Icon name="more" />}>
            {(close) => (
              <div class="menu">
                {conv.status !== "pending" && <button type="button" class="menu-item" onClick={() => { close(); update({ status: "pending" }); }}><Icon name="clock" />{t("action.pending")}</button>}
                {conv.status !== "closed" && <button type="button" class="menu-item" onClick={() => { close(); update({ status: "closed" }); }}><Icon name="x" />{t("action.close")}</button>}
                <button type="button" class="menu-item" onClick={() => { close(); setMerging(true); }}><Icon name="merge" />{t("action.merge")}</button>
              </div>
            )}
          </Popover>
          <button type="button" class={"btn ghost icon-only" + (panel ? " on" : "")} aria-pressed={panel} aria-label={t("contact.panel")} title={t("contact.panel")} onClick={togglePanel}>
            <Icon name="panel" />
          </button>
        </div>
      </div>
      <TagRow conv={conv} update={update} />
      {merging && <MergeDialog conv={conv} onClose={() => setMerging(false)} onMerged={onMerged} />}
    </header>
  );
}

function Viewers({ id }: { id: number }) {
  const all = useStore(viewersStore);
  const me = useStore(meStore);
  const others = [...(all.get(id)?.values() ?? [])].filter((v) => v.agent_id !== me?.id);
  if (!others.length) return null;
  const typingNow = others.filter((v) => v.activity === "typing");
  const text = typingNow.length
    ? t("viewers.typing", { names: typingNow.map((v) => v.agent_name).join(", ") })
    : t("viewers.viewing", { names: others.map((v) => v.agent_name).join(", ") });
  return (
    <span class={"viewers" + (typingNow.length ? " typing" : "")} aria-live="polite">
      <Icon name="eye" size={12} />
      {text}
    </span>
  );
}

function AssignMenu({ conv, update }: { conv: Conversation; update: (c: Change) => void }) {
  const agents = useStore(agentsStore);
  const teams = useStore(teamsStore);
  const me = useStore(meStore)!;
  const [q, setQ] = useState("");
  const assignee = agentName(conv.assignee_id);
  const team = teamName(conv.team_id);
  const match = (s: string) => s.toLowerCase().includes(q.toLowerCase());
  return (
    <Popover label={t("action.assign")} class="assign-popover" button={
      <>
        {assignee ? <Avatar name={assignee} size={20} /> : <Icon name="userPlus" />}
        <span class="assign-label">{assignee ?? t("assign.nobody")}{team ? " · " + team : ""}</span>
        <Icon name="chevronDown" size={12} />
      </>
    }>
      {(close) => (
        <div class="menu assign-menu">
          <input class="menu-search" placeholder={t("assign.search")} aria-label={t("assign.search")} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          {conv.assignee_id !== me.id && <button type="button" class="menu-item" onClick={() => { close(); update({ assignee_id: me.id }); }}><Avatar name={me.name} size={20} />{t("assign.me")}</button>}
          {conv.assignee_id != null && <button type="button" class="menu-item" onClick={() => { close(); update({ clear_assignee: true }); }}><Icon name="unassigned" />{t("assign.unassign")}</button>}
          <div class="menu-heading">{t("assign.agents")}</div>
          {agents.filter((a) => a.active && a.id !== me.id && match(a.name)).map((a) => (
            <button type="button" class={"menu-item" + (a.id === conv.assignee_id ? " current" : "")} onClick={() => { close(); update({ assignee_id: a.id }); }}>
              <Avatar name={a.name} size={20} presence={a.presence} />
              {a.name}
              <span class="menu-meta">{t(("presence." + a.presence) as MessageKey)}</span>
            </button>
          ))}
          <div class="menu-heading">{t("assign.teams")}</div>
          {teams.filter((x) => match(x.name)).map((x) => (
            <button type="button" class={"menu-item" + (x.id === conv.team_id ? " current" : "")} onClick={() => { close(); update({ team_id: x.id }); }}>
              <Icon name="users" />{x.name}
            </button>
          ))}
          {conv.team_id != null && <button type="button" class="menu-item" onClick={() => { close(); update({ clear_team: true }); }}><Icon name="x" />{t("assign.clearTeam")}</button>}
        </div>
      )}
    </Popover>
  );
}

function PriorityMenu({ conv, update }: { conv: Conversation; update: (c: Change) => void }) {
  return (
    <Popover label={t("filter.priority")} button={<span class={"priority p" + conv.priority}><Icon name="flag" size={14} /><span class="sr-only">{t(("priority." + conv.priority) as MessageKey)}</span></span>}>
      {(close) => (
        <div class="menu" role="menu">
          {([3, 2, 1, 0] as Priority[]).map((p) => (
            <button type="button" role="menuitemradio" aria-checked={conv.priority === p} class={"menu-item" + (conv.priority === p ? " current" : "")}
              onClick={() => { close(); update({ priority: p }); }}>
              <span class={"priority p" + p}><Icon name="flag" size={14} /></span>
              {t(("priority." + p) as MessageKey)}
            </button>
          ))}
        </div>
      )}
    </Popover>
  );
}

function SnoozeMenu({ update }: { update: (c: Change) => void }) {
  const [custom, setCustom] = useState("");
  const at = (d: Date) => update({ status: "snoozed", snoozed_until: d.toISOString() });
  const tomorrow = new Date();
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const monday = new Date();
  monday.setDate(monday.getDate() + ((8 - monday.getDay()) % 7 || 7));
  monday.setHours(9, 0, 0, 0);
  return (
    <Popover label={t("action.snooze")} button={<Icon name="snooze" />}>
      {(close) => (
        <div class="menu">
          <div class="menu-heading">{t("action.snooze")}</div>
          <button type="button" class="menu-item" onClick={() => { close(); at(new Date(Date.now() + 3600000)); }}>{t("snooze.hour")}</button>
          <button type="button" class="menu-item" onClick={() => { close(); at(new Date(Date.now() + 4 * 3600000)); }}>{t("snooze.fourHours")}</button>
          <button type="button" class="menu-item" onClick={() => { close(); at(tomorrow); }}>{t("snooze.tomorrow")}<span class="menu-meta">{dateTime(tomorrow.toISOString())}</span></button>
          <button type="button" class="menu-item" onClick={() => { close(); at(monday); }}>{t("snooze.monday")}<span class="menu-meta">{dateTime(monday.toISOString())}</span></button>
          <form class="pad" onSubmit={(e) => { e.preventDefault(); if (custom) { close(); at(new Date(custom)); } }}>
            <label class="field"><span class="field-label">{t("snooze.custom")}</span>
              <input type="datetime-local" value={custom} onInput={(e) => setCustom(e.currentTarget.value)} required />
            </label>
            <button type="submit" class="btn primary">{t("action.snooze")}</button>
          </form>
        </div>
      )}
    </Popover>
  );
}

function TagRow({ conv, update }: { conv: Conversation; update: (c: Change) => void }) {
  const known = useStore(tagsStore);
  const [value, setValue] = useState("");
  const tags = conv.tags ?? [];
  const add = (e: Event) => {
    e.preventDefault();
    const v = value.trim();
    if (v && !tags.includes(v)) update({ add_tags: [v] });
    setValue("");
  };
  return (
    <div class="tag-row">
      <Icon name="tag" size={14} />
      {tags.map((x) => (
        <span class={"tag" + (x.startsWith("channel:") ? " auto" : "")}>
          {x}
          {!x.startsWith("channel:") && (
            <button type="button" class="tag-x" aria-label={t("tags.remove", { name: x })} onClick={() => update({ remove_tags: [x] })}><Icon name="x" size={10} /></button>
          )}
        </span>
      ))}
      <form onSubmit={add} class="tag-add">
        <input list="tag-suggestions" value={value} placeholder={t("tags.add")} aria-label={t("tags.add")} onInput={(e) => setValue(e.currentTarget.value)} />
        <datalist id="tag-suggestions">{known.filter((x) => !tags.includes(x.name)).map((x) => <option value={x.name} />)}</datalist>
      </form>
    </div>
  );
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

function MergeDialog({ conv, onClose, onMerged }: { conv: Conversation; onClose: () => void; onMerged: () => void }) {
  const [others, setOthers] = useState<Conversation[] | null>(null);
  const [sourceId, setSourceId] = useState<number | null>(null);
  const [manual, setManual] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.contactConversations(conv.contact_id).then((p) => setOthers((p.items ?? []).filter((c) => c.id !== conv.id)), () => setOthers([]));
  }, []);
  const source = sourceId ?? (Number(manual) || null);
  const merge = async () => {
    if (!source) return;
    setBusy(true);
    try {
      applyConversation(await api.merge(conv.id, source));
      toast(t("merge.done"), "success");
      onMerged();
      onClose();
    } catch (e) {
      toast(errorText(e), "error");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={t("merge.title", { number: conv.number })} onClose={onClose}>
      <p class="muted">{t("merge.explain")}</p>
      {others === null ? <Spinner /> : others.length === 0 ? <p class="muted">{t("merge.none")}</p> : (
        <ul class="pick-list" role="radiogroup" aria-label={t("merge.pick")}>
          {others.map((c) => (
            <li>
              <label class={"pick" + (sourceId === c.id ? " on" : "")}>
                <input type="radio" name="merge-source" checked={sourceId === c.id} onChange={() => setSourceId(c.id)} />
                <PlatformIcon platform={c.platform} size={16} />
                <span class="conv-number">#{c.number}</span>
                <span class="pick-text">{c.subject || c.last_preview || ""}</span>
                <StatusPill status={c.status} />
              </label>
            </li>
          ))}
        </ul>
      )}
      <label class="field"><span class="field-label">{t("merge.byId")}</span>
        <input inputMode="numeric" value={manual} onInput={(e) => { setManual(e.currentTarget.value); setSourceId(null); }} />
      </label>
      <div class="modal-actions">
        <button type="button" class="btn ghost" onClick={onClose}>{t("common.cancel")}</button>
        <button type="button" class="btn primary" disabled={!source || busy} onClick={merge}><Icon name="merge" />{t("merge.submit")}</button>
      </div>
    </Modal>
  );
}
