// The inbox: a view of tickets with filters and sort, infinite scroll, bulk
// actions, live updates; the open ticket beside it.
import { useEffect, useRef, useState } from "preact/hooks";
import { ago, t, type MessageKey } from "../i18n";
import { conversationsStore, filtersStore, listStore, loadList } from "../inbox";
import { navigate } from "../router";
import { agentName, useStore } from "../store";
import type { Conversation, View } from "../types";
import { registerShortcut } from "../ui/Shortcuts";
import { Avatar, Empty, PriorityMark, Spinner, StatusPill } from "../ui/common";
import { Icon, PlatformIcon } from "../ui/icons";
import { onEvent } from "../ws";
import { BulkBar } from "./BulkBar";
import { ConversationPane } from "./Conversation";
import { ListHeader } from "./InboxHeader";

export function InboxPage({ view, openId }: { view: View; openId: number }) {
  const filters = useStore(filtersStore);
  const list = useStore(listStore);
  const [selected, setSelected] = useState<Set<number>>(new Set());

  useEffect(() => {
    loadList(view);
    setSelected(new Set());
  }, [view, JSON.stringify(filters)]);

  useEffect(() => onEvent((e) => e.type === "reconnected" && loadList(view, false, true)), [view]);

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
  useEffect(() => {
    // The budget "first page visible" is measured from this mark (e2e/inbox_budget_test.go).
    if (props.items.length > 0 && !performance.getEntriesByName("inbox:first-rows").length) performance.mark("inbox:first-rows");
  }, [props.items.length > 0]);
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

/** isUnread: the server's read marker for this agent where it has one, else new customer messages. */
function isUnread(c: Conversation): boolean {
  return c.unread ?? c.unread_count > 0;
}

function ConversationRow({ c, view, open, checked, onCheck }: { c: Conversation; view: View; open: boolean; checked: boolean; onCheck: () => void }) {
  const name = c.contact?.name || t("contact.unknown");
  const assignee = agentName(c.assignee_id);
  const href = `/inbox/${view}/${c.id}`;
  return (
    <li class={"conv-row" + (open ? " open" : "") + (isUnread(c) ? " unread" : "") + (checked ? " checked" : "")} data-conversation={c.id}>
      <input type="checkbox" class="row-check" checked={checked} onChange={onCheck} aria-label={t("bulk.select", { name })} />
      <a href={href} class="conv-link" aria-current={open ? "true" : undefined}
        onClick={(e) => {
          if (e.metaKey || e.ctrlKey) return;
          e.preventDefault();
          navigate(href);
        }}>
        <span class="conv-avatar">
          <Avatar name={name} size={36} url={c.contact?.avatar_url} />
          <span class="conv-platform"><PlatformIcon platform={c.platform} size={15} /></span>
        </span>
        <span class="conv-body">
          <span class="conv-line1">
            <span class="conv-name">{name}</span>
            {isUnread(c) && c.unread_count > 0 && <span class="unread-badge" aria-label={t("inbox.unread", { count: c.unread_count })}>{c.unread_count > 99 ? "99+" : c.unread_count}</span>}
            <time class="conv-time" dateTime={c.last_message_at}>{ago(c.last_message_at)}</time>
          </span>
          <span class="conv-preview">{c.subject ? <strong>{c.subject} · </strong> : null}{c.last_preview || "\u00a0"}</span>
          <span class="conv-meta">
            <span class="conv-number">#{c.number}</span>
            {c.status !== "open" && <StatusPill status={c.status} />}
            <PriorityMark priority={c.priority} />
            {(c.tags ?? []).filter((x) => !x.startsWith("channel:")).slice(0, c.priority > 1 || c.status !== "open" ? 1 : 2).map((x) => <span class="tag">{x}</span>)}
            <span class="spacer" />
            {c.waiting_since && c.status === "open" && <span class="waiting" title={t("inbox.waiting")}><Icon name="clock" size={12} />{ago(c.waiting_since).replace(/^[-−]/, "")}</span>}
            {assignee && view !== "mine" ? <span class="assignee" title={t("conversation.assignedTo", { name: assignee })}><Avatar name={assignee} size={18} /></span> : null}
          </span>
        </span>
      </a>
    </li>
  );
}
