// Shared client state: a few small observable stores and a hook to read them.
import { useEffect, useState } from "preact/hooks";
import { api, itemsOf } from "./api";
import type { Agent, Channel, Counts, PresenceInfo, Tag, Team } from "./types";

export interface Store<T> {
  get(): T;
  set(next: T | ((prev: T) => T)): void;
  subscribe(f: (v: T) => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const subs = new Set<(v: T) => void>();
  return {
    get: () => value,
    set(next) {
      const v = typeof next === "function" ? (next as (p: T) => T)(value) : next;
      if (Object.is(v, value)) return;
      value = v;
      subs.forEach((f) => f(v));
    },
    subscribe(f) {
      subs.add(f);
      return () => subs.delete(f);
    },
  };
}

export function useStore<T>(s: Store<T>): T {
  const [v, setV] = useState(s.get);
  useEffect(() => {
    setV(s.get());
    return s.subscribe(setV);
  }, [s]);
  return v;
}

export const meStore = createStore<Agent | null | undefined>(undefined); // undefined = not known yet
export const agentsStore = createStore<Agent[]>([]);
export const teamsStore = createStore<Team[]>([]);
export const tagsStore = createStore<Tag[]>([]);
export const channelsStore = createStore<Channel[]>([]);
export const countsStore = createStore<Counts | null>(null);
export const connectedStore = createStore<boolean>(false);

/** Who is viewing or typing where: conversation id → agent id → info with time seen. */
export const viewersStore = createStore<Map<number, Map<number, PresenceInfo & { seen: number }>>>(new Map());

export interface Toast {
  id: number;
  kind: "info" | "error" | "success";
  text: string;
}
export const toastsStore = createStore<Toast[]>([]);
let toastSeq = 0;
export function toast(text: string, kind: Toast["kind"] = "info") {
  const id = ++toastSeq;
  toastsStore.set((ts) => [...ts.slice(-3), { id, kind, text }]);
  setTimeout(() => toastsStore.set((ts) => ts.filter((x) => x.id !== id)), kind === "error" ? 7000 : 3500);
}

/** loadDirectory fetches the lists every screen refers to (agents, teams, tags, channels). */
export async function loadDirectory() {
  const [agents, teams, tags, channels] = await Promise.allSettled([api.agents(), api.teams(), api.tags(), api.channels()]);
  if (agents.status === "fulfilled") agentsStore.set(itemsOf(agents.value));
  if (teams.status === "fulfilled") teamsStore.set(itemsOf(teams.value));
  if (tags.status === "fulfilled") tagsStore.set(itemsOf(tags.value));
  if (channels.status === "fulfilled") channelsStore.set(itemsOf(channels.value));
}

let countsTimer: number | undefined;
/** refreshCounts reloads the per-view counts, coalescing bursts of events. */
export function refreshCounts(delay = 300) {
  clearTimeout(countsTimer);
  countsTimer = window.setTimeout(async () => {
    try {
      countsStore.set(await api.counts());
    } catch {
      /* counts are decoration; the next event retries */
    }
  }, delay);
}

export function agentName(id: number | undefined): string | undefined {
  if (id === undefined) return undefined;
  return agentsStore.get().find((a) => a.id === id)?.name;
}

export function teamName(id: number | undefined): string | undefined {
  if (id === undefined) return undefined;
  return teamsStore.get().find((x) => x.id === id)?.name;
}

export function channelById(id: number): Channel | undefined {
  return channelsStore.get().find((c) => c.id === id);
}
