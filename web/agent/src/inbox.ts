// Inbox state: filters, the loaded page of tickets and the rules that keep it
// current as events arrive (insert, move, drop) without reloading.
import { api, type ConversationQuery } from "./api";
import { createStore, meStore } from "./store";
import type { Agent, Conversation, PageOf, Sort, Status, View } from "./types";

export interface Filters {
  statuses: Status[];
  channel_id?: number;
  priority?: number;
  tag?: string;
  assignee_id?: number;
  team_id?: number;
  sort: Sort;
}

export const defaultFilters: Filters = { statuses: ["open", "pending"], sort: "newest" };

function loadFilters(): Filters {
  try {
    return { ...defaultFilters, ...JSON.parse(localStorage.getItem("parley.filters") ?? "{}") };
  } catch {
    return defaultFilters;
  }
}

export const filtersStore = createStore<Filters>(loadFilters());
filtersStore.subscribe((f) => localStorage.setItem("parley.filters", JSON.stringify(f)));

export interface ListState {
  view: View;
  items: Conversation[];
  cursor?: string;
  loading: boolean;
  done: boolean;
  error?: string;
}

export const listStore = createStore<ListState>({ view: "mine", items: [], loading: false, done: false });

/** conversationsStore caches tickets by id so the list and the open ticket agree. */
export const conversationsStore = createStore<Map<number, Conversation>>(new Map());

export function rememberConversation(c: Conversation) {
  const prev = conversationsStore.get().get(c.id);
  if (prev && prev.version > c.version) return prev;
  // Events carry no read marker (it is per agent): keep ours, unless the customer wrote since.
  const wroteSince = !!c.last_inbound_at && c.last_inbound_at !== prev?.last_inbound_at;
  const unread = c.unread ?? (prev?.unread === undefined ? undefined : prev.unread || wroteSince);
  const merged = { ...c, contact: c.contact ?? prev?.contact, unread };
  conversationsStore.set((m) => new Map(m).set(c.id, merged));
  return merged;
}

export function queryFor(view: View, f: Filters, cursor?: string): ConversationQuery {
  return {
    view,
    status: f.statuses,
    channel_id: f.channel_id,
    priority: f.priority,
    tag: f.tag,
    assignee_id: f.assignee_id,
    team_id: f.team_id,
    sort: f.sort,
    cursor,
    limit: 50,
  };
}

let generation = 0;

let prefetched: { key: string; page: Promise<PageOf<Conversation>> } | undefined;

/**
 * prefetchFirstPage asks for the inbox's first page while the app still
 * boots (who am I?, the directory), so the two requests overlap instead of
 * following each other: the page is on screen one round trip sooner.
 */
export function prefetchFirstPage(path: string) {
  const [section, view] = path.split("/").filter(Boolean);
  if (section !== "inbox" || !view) return;
  const q = queryFor(view as View, filtersStore.get());
  const entry = { key: JSON.stringify(q), page: api.conversations(q) };
  prefetched = entry;
  entry.page.catch(() => {
    if (prefetched === entry) prefetched = undefined; // signed out, say: load normally later
  });
}

function firstPage(q: ConversationQuery) {
  const hit = prefetched?.key === JSON.stringify(q) ? prefetched.page : undefined;
  prefetched = undefined;
  return hit ?? api.conversations(q);
}

/**
 * loadList loads the first page of a view, or the next page when more is true.
 * With refresh the rows on screen stay until the fresh page replaces them.
 */
export async function loadList(view: View, more = false, refresh = false) {
  const st = listStore.get();
  if (more && (st.loading || st.done || st.view !== view)) return;
  const gen = more ? generation : ++generation;
  // A refresh of the same view keeps showing the old rows until the new ones arrive.
  const keep = more || (refresh && st.view === view);
  listStore.set(keep ? { ...st, loading: true } : { view, items: [], loading: true, done: false });
  try {
    const q = queryFor(view, filtersStore.get(), more ? st.cursor : undefined);
    const page = await (more ? api.conversations(q) : firstPage(q));
    if (gen !== generation) return;
    const items = (page.items ?? []).map(rememberConversation);
    const prev = more ? listStore.get().items : [];
    const seen = new Set(prev.map((c) => c.id));
    listStore.set({
      view,
      items: [...prev, ...items.filter((c) => !seen.has(c.id))],
      cursor: page.next_cursor,
      loading: false,
      done: !page.next_cursor,
    });
  } catch (e) {
    if (gen !== generation) return;
    listStore.set({ ...listStore.get(), view, loading: false, error: (e as Error).message });
  }
}

/** matches tells whether a ticket belongs in the view under the filters, as the server would decide. */
export function matches(c: Conversation, view: View, f: Filters, me: Agent | null | undefined): boolean {
  if (!me) return false;
  if (view === "mine" && c.assignee_id !== me.id) return false;
  if (view === "unassigned" && c.assignee_id != null) return false;
  if (view === "teams" && (c.team_id == null || !(me.team_ids ?? []).includes(c.team_id))) return false;
  if (f.statuses.length && !f.statuses.includes(c.status)) return false;
  if (f.channel_id !== undefined && c.channel_id !== f.channel_id) return false;
  if (f.priority !== undefined && c.priority !== f.priority) return false;
  if (f.tag && !(c.tags ?? []).includes(f.tag)) return false;
  if (f.assignee_id !== undefined && c.assignee_id !== f.assignee_id) return false;
  if (f.team_id !== undefined && c.team_id !== f.team_id) return false;
  return true;
}

const time = (s?: string) => (s ? new Date(s).getTime() : Number.POSITIVE_INFINITY);

export function compare(sort: Sort): (a: Conversation, b: Conversation) => number {
  switch (sort) {
    case "oldest_waiting":
      return (a, b) => time(a.waiting_since) - time(b.waiting_since) || a.id - b.id;
    case "priority":
      return (a, b) => b.priority - a.priority || time(a.waiting_since) - time(b.waiting_since) || a.id - b.id;
    default:
      return (a, b) => time(b.last_message_at) - time(a.last_message_at) || b.id - a.id;
  }
}

/** applyConversation folds a changed ticket into the loaded list: insert, move or drop it. */
export function applyConversation(changed: Conversation) {
  const c = rememberConversation(changed);
  const st = listStore.get();
  const f = filtersStore.get();
  const belongs = matches(c, st.view, f, meStore.get());
  const without = st.items.filter((x) => x.id !== c.id);
  if (!belongs) {
    if (without.length !== st.items.length) listStore.set({ ...st, items: without });
    return;
  }
  const sorted = [...without, c].sort(compare(f.sort));
  // A ticket that sorts after the last loaded row belongs to a later page: leave it for scrolling.
  if (!st.done && sorted[sorted.length - 1].id === c.id && !st.items.some((x) => x.id === c.id)) return;
  listStore.set({ ...st, items: sorted });
}
