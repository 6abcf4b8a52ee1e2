// The inbox: a view of tickets with filters and sort, infinite scroll, bulk
// actions, live updates; the open ticket beside it.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { ago, t, type MessageKey } from "../i18n";
import { conversationsStore, defaultFilters, filtersStore, listStore, loadList, rememberConversation, applyConversation, type Filters } from "../inbox";
import { platformInfo } from "../platforms";
import { navigate } from "../router";
import { agentName, agentsStore, channelsStore, countsStore, meStore, refreshCounts, tagsStore, teamsStore, toast, useStore } from "../store";
import type { Conversation, Sort, Status, View } from "../types";
import { registerShortcut } from "../ui/Shortcuts";
import { Avatar, Empty, Popover, PriorityMark, Spinner, StatusPill, errorText } from "../ui/common";
import { Icon, PlatformIcon } from "../ui/icons";
import { onEvent } from "../ws";
import { ConversationPane } from "./Conversation";

export function InboxPage({ view, openId }: { view: View; openId: number }) {
  const filters = useStore(filtersStore);
  const list = useStore(listStore);
  const [selected, setSelected] = useState<Set<number>>(new Set());

  useEffect(() => {
    loadList(view);
    setSelected(new Set());
  }, [view, JSON.stringify(filters)]);

  useEffect(() => onEvent((e) => e.type === "reconnected" && loadList(view)), [view]);

  // j/k walk the list and open the ticket.
  useEffect(() => {
    const move = (delta: number) => {
      const items = listStore.get().items;
      if (!items.length) return;
      const i = items.findIndex((c) => c.id === openId);
      const next = items[Math.min(items.length - 1, Math.max(0, i < 0 ? 0 : i + delta))];
      navigate(`/inbox/${view}/${next.id}`);
      document.querySelector(`[data-conversation="${next.id}"]`)?.scrollIntoView({ block: "nearest" });
    };
    const offs = [registerShortcut("next", () => move(1)), registerShortcut("prev", () => move(-1))];
    return () => offs.forEach((f) => f());
  }, [view, openId]);

  return (
    <div class={"inbox" + (openId ? " has-open" : "")}>
      <section class="list-pane" aria-label={t(("view." + view) as MessageKey)}>
        <ListHeader view={view} filters={filters} />
        {selected.size > 0 && <BulkBar ids={[...selected]} onDone={() => setSelected(new Set())} />}
        <ConversationList view={view} items={list.items} loading={list.loading} done={list.done} error={list.error}
          openId={openId} selected={selected} setSelected={setSelected} />
      </section>
      <section class="open-pane" aria-label={t("conversation.label")}>
        {openId ? <ConversationPane key={openId} id={openId} view={view} /> : <Empty icon="inbox" title={t("inbox.pick")} hint={t("inbox.pickHint")} />}
      </section>
    </div>
  );
}

const statusChoices: { key: MessageKey; statuses: Status[] }[] = [
  { key: "filter.active", statuses: ["open", "pending"] },
  { key: "status.open", statuses: ["open"] },
  { key: "status.pending", statuses: ["pending"] },
  { key: "status.snoozed", statuses: ["snoozed"] },
  { key: "status.resolved", statuses: ["resolved"] },
  { key: "status.closed", statuses: ["closed"] },
  { key: "filter.anyStatus", statuses: [] },
];

function ListHeader({ view, filters }: { view: View; filters: Filters }) {
  const counts = useStore(countsStore);
  const channels = useStore(channelsStore);
  const agents = useStore(agentsStore);
  const teams = useStore(teamsStore);
  const tags = useStore(tagsStore);
  const set = (patch: Partial<Filters>) => filtersStore.set({ ...filters, ...patch });
  const statusIndex = statusChoices.findIndex((c) => c.statuses.join() === filters.statuses.join());
  const chips: { label: string; clear: Partial<Filters> }[] = [];
  if (filters.channel_id !== undefined) chips.push({ label: channels.find((c) => c.id === filters.channel_id)?.name ?? "#" + filters.channel_id, clear: { channel_id: undefined } });
  if (filters.priority !== undefined) chips.push({ label: t(("priority." + filters.priority) as MessageKey), clear: { priority: undefined } });
  if (filters.tag) chips.push({ label: "#" + filters.tag, clear: { tag: undefined } });
  if (filters.assignee_id !== undefined) chips.push({ label: agentName(filters.assignee_id) ?? "", clear: { assignee_id: undefined } });
  if (filters.team_id !== undefined) chips.push({ label: teams.find((x) => x.id === filters.team_id)?.name ?? "", clear: { team_id: undefined } });
  const num = (v: string) => (v === "" ? undefined : Number(v));
  return (
    <header class="list-head">
      <div class="list-title">
        <h1>{t(("view." + view) as MessageKey)}</h1>
        {counts && <span class="count-badge">{counts[view]}</span>}
        <div class="spacer" />
        <label class="sr-only" for="sort">{t("sort.label")}</label>
        <select id="sort" class="select compact" value={filters.sort} onChange={(e) => set({ sort: e.currentTarget.value as Sort })}>
          <option value="newest">{t("sort.newest")}</option>
          <option value="oldest_waiting">{t("sort.oldest_waiting")}</option>
          <option value="priority">{t("sort.priority")}</option>
        </select>
        <Popover label={t("filter.label")} align="right" button={<><Icon name="more" /><span class="sr-only">{t("filter.label")}</span></>}>
          {() => (
            <div class="filters">
              <label class="field"><span class="field-label">{t("filter.channel")}</span>
                <select class="select" value={filters.channel_id ?? ""} onChange={(e) => set({ channel_id: num(e.currentTarget.value) })}>
                  <option value="">{t("filter.any")}</option>
                  {channels.map((c) => <option value={c.id}>{c.name} · {platformInfo(c.platform).name}</option>)}
                </select>
              </label>
              <label class="field"><span class="field-label">{t("filter.priority")}</span>
                <select class="select" value={filters.priority ?? ""} onChange={(e) => set({ priority: num(e.currentTarget.value) })}>
                  <option value="">{t("filter.any")}</option>
                  {[3, 2, 1, 0].map((p) => <option value={p}>{t(("priority." + p) as MessageKey)}</option>)}
                </select>
              </label>
              <label class="field"><span class="field-label">{t("filter.tag")}</span>
                <select class="select" value={filters.tag ?? ""} onChange={(e) => set({ tag: e.currentTarget.value || undefined })}>
                  <option value="">{t("filter.any")}</option>
                  {tags.map((x) => <option value={x.name}>{x.name}</option>)}
                </select>
              </label>
              <label class="field"><span class="field-label">{t("filter.assignee")}</span>
                <select class="select" value={filters.assignee_id ?? ""} onChange={(e) => set({ assignee_id: num(e.currentTarget.value) })}>
                  <option value="">{t("filter.any")}</option>
                  {agents.map((a) => <option value={a.id}>{a.name}</option>)}
                </select>
              </label>
              <label class="field"><span class="field-label">{t("filter.team")}</span>
                <select class="select" value={filters.team_id ?? ""} onChange={(e) => set({ team_id: num(e.currentTarget.value) })}>
                  <option value="">{t("filter.any")}</option>
                  {teams.map((x) => <option value={x.id}>{x.name}</option>)}
                </select>
              </label>
              <button type="button" class="btn ghost" onClick={() => filtersStore.set({ ...defaultFilters, sort: filters.sort })}>{t("filter.reset")}</button>
            </div>
          )}
        </Popover>
      </div>
      <div class="status-tabs" role="tablist" aria-label={t("filter.status")}>
        {statusChoices.slice(0, 5).map((c, i) => (
          <button type="button" role="tab" aria-selected={statusIndex === i} class={statusIndex === i ? "on" : ""} onClick={() => set({ statuses: c.statuses })}>
            {t(c.key)}
          </button>
        ))}
      </div>
      {chips.length > 0 && (
        <div class="chips">
          {chips.map((c) => (
            <button type="button" class="chip" onClick={() => set(c.clear)} aria-label={t("filter.remove", { name: c.label })}>
              {c.label}
              <Icon name="x" size={12} />
            </button>
          ))}
        </div>
      )}
    </header>
  );
}

function ConversationList(props: {
  view: View; items: Conversation[]; loading: boolean; done: boolean; error?: string; openId: number;
  selected: Set<number>; setSelected: (s: Set<number>) => void;
}) {
  const sentinel = useRef<HTMLDivElement>(null);
  const cache = useStore(conversationsStore); // the freshest copy of each row (read badges, live edits)
  const [, tick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => tick((n) => n + 1), 30000); // keeps "5 min ago" honest
    return () => clearInterval(id);
  }, []);
  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const io = new IntersectionObserver((es) => es[0].isIntersecting && loadList(props.view, true), { rootMargin: "400px" });
    io.observe(el);
    return () => io.disconnect();
  }, [props.view, props.items.length]);
  const toggle = (id: number) => {
    const s = new Set(props.selected);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    props.setSelected(s);
  };
  const allSelected = props.items.length > 0 && props.items.every((c) => props.selected.has(c.id));
  return (
    <div class="list-scroll">
      {props.items.length > 0 && (
        <label class="select-all">
          <input type="checkbox" checked={allSelected} onChange={() => props.setSelected(allSelected ? new Set() : new Set(props.items.map((c) => c.id)))} />
          {t("bulk.selectAll")}
        </label>
      )}
      <ul class="conv-list" role="list">
        {props.items.map((item) => cache.get(item.id) ?? item).map((c) => (
          <ConversationRow key={c.id} c={c} view={props.view} open={c.id === props.openId} checked={props.selected.has(c.id)} onCheck={() => toggle(c.id)} />
        ))}
      </ul>
      {props.error && <p class="list-error" role="alert">{props.error} <button class="btn ghost" onClick={() => loadList(props.view)}>{t("common.retry")}</button></p>}
      {!props.loading && !props.error && props.items.length === 0 && <Empty icon="check" title={t("inbox.empty")} hint={t("inbox.emptyHint")} />}
      <div ref={sentinel} class="sentinel">{props.loading && <Spinner />}</div>
    </div>
  );
}

function ConversationRow({ c, view, open, checked, onCheck }: { c: Conversation; view: View; open: boolean; checked: boolean; onCheck: () => void }) {
  const name = c.contact?.name || t("contact.unknown");
  const assignee = agentName(c.assignee_id);
  const href = `/inbox/${view}/${c.id}`;
  return (
    <li class={"conv-row" + (open ? " open" : "") + (c.unread_count > 0 ? " unread" : "") + (checked ? " checked" : "")} data-conversation={c.id}>
      <input type="checkbox" class="row-check" checked={checked} onChange={onCheck} aria-label={t("bulk.select", { name })} />
      <a href={href} class="conv-link" aria-current={open ? "true" : undefined}
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey) return;
          e.preventDefault();
          navigate(href);
        }}>
        <span class="conv-avatar">
          <Avatar name={name} size={36} url={c.contact?.avatar_url} />
          <span class="conv-platform"><PlatformIcon platform={c.platform} size={16} /></span>
        </span>
        <span class="conv-body">
          <span class="conv-line1">
            <span class="conv-name">{name}</span>
            {c.unread_count > 0 && <span class="unread-badge" aria-label={t("inbox.unread", { count: c.unread_count })}>{c.unread_count > 99 ? "99+" : c.unread_count}</span>}
            <time class="conv-time" dateTime={c.last_message_at}>{ago(c.last_message_at)}</time>
          </span>
          <span class="conv-preview">{c.subject ? <strong>{c.subject} · </strong> : null}{c.last_preview || "\u00a0"}</span>
          <span class="conv-meta">
            <span class="conv-number">#{c.number}</span>
            {c.status !== "open" && <StatusPill status={c.status} />}
            <PriorityMark priority={c.priority} />
            {(c.tags ?? []).filter((x) => !x.startsWith("channel:")).slice(0, 2).map((x) => <span class="tag">{x}</span>)}
            <span class="spacer" />
            {c.waiting_since && c.status === "open" && <span class="waiting" title={t("inbox.waiting")}><Icon name="clock" size={12} />{ago(c.waiting_since).replace(/^[-−]/, "")}</span>}
            {assignee ? <span class="assignee" title={t("conversation.assignedTo", { name: assignee })}><Avatar name={assignee} size={18} /></span> : null}
          </span>
        </span>
      </a>
    </li>
  );
}

function BulkBar({ ids, onDone }: { ids: number[]; onDone: () => void }) {
  const agents = useStore(agentsStore);
  const teams = useStore(teamsStore);
  const me = useStore(meStore)!;
  const knownTags = useStore(tagsStore);
  const [tag, setTag] = useState("");
  const run = async (body: { assignee_id?: number; team_id?: number; add_tags?: string[]; status?: string }) => {
    try {
      const r = await api.bulk({ ids, ...body });
      (r.updated ?? []).forEach((c) => applyConversation(rememberConversation(c)));
      const failed = r.failed?.length ?? 0;
      toast(failed ? t("bulk.partial", { ok: r.updated?.length ?? 0, failed }) : t("bulk.done", { count: r.updated?.length ?? 0 }), failed ? "error" : "success");
      refreshCounts(0);
      onDone();
    } catch (e) {
      toast(errorText(e), "error");
    }
  };
  return (
    <div class="bulk-bar" role="toolbar" aria-label={t("bulk.label")}>
      <span class="bulk-count">{t("bulk.selected", { count: ids.length })}</span>
      <Popover label={t("action.assign")} button={<><Icon name="userPlus" />{t("action.assign")}</>}>
        {(close) => (
          <div class="menu">
            <button type="button" class="menu-item" onClick={() => { close(); run({ assignee_id: me.id }); }}>{t("assign.me")}</button>
            {agents.filter((a) => a.active && a.id !== me.id).map((a) => (
              <button type="button" class="menu-item" onClick={() => { close(); run({ assignee_id: a.id }); }}><Avatar name={a.name} size={20} presence={a.presence} />{a.name}</button>
            ))}
            {teams.length > 0 && <div class="menu-heading">{t("assign.teams")}</div>}
            {teams.map((x) => (
              <button type="button" class="menu-item" onClick={() => { close(); run({ team_id: x.id }); }}><Icon name="users" />{x.name}</button>
            ))}
          </div>
        )}
      </Popover>
      <Popover label={t("action.tag")} button={<><Icon name="tag" />{t("action.tag")}</>}>
        {(close) => (
          <form class="menu pad" onSubmit={(e) => { e.preventDefault(); if (tag.trim()) { close(); run({ add_tags: [tag.trim()] }); setTag(""); } }}>
            <label class="field"><span class="field-label">{t("tags.add")}</span>
              <input list="bulk-tags" value={tag} onInput={(e) => setTag(e.currentTarget.value)} />
            </label>
            <datalist id="bulk-tags">{knownTags.map((x) => <option value={x.name} />)}</datalist>
            <button type="submit" class="btn primary">{t("common.apply")}</button>
          </form>
        )}
      </Popover>
      <button type="button" class="btn" onClick={() => run({ status: "resolved" })}><Icon name="check" />{t("action.resolve")}</button>
      <button type="button" class="btn ghost icon-only" onClick={onDone} aria-label={t("bulk.clear")}><Icon name="x" /></button>
    </div>
  );
}

export function lookupConversation(id: number): Conversation | undefined {
  return conversationsStore.get().get(id);
}
