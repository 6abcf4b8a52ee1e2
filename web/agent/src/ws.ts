// The realtime connection: one WebSocket per tab, reconnecting with backoff.
// Domain events are fanned out to subscribers; "reconnected" tells them to
// reload what they show, since events may have been missed meanwhile.
import { connectedStore, viewersStore } from "./store";
import type { ServerEvent } from "./types";

type Handler = (e: ServerEvent) => void;
const handlers = new Set<Handler>();
let socket: WebSocket | null = null;
let attempts = 0;
let stopped = true;
let everConnected = false;

export function onEvent(h: Handler): () => void {
  handlers.add(h);
  return () => handlers.delete(h);
}

function emit(e: ServerEvent) {
  handlers.forEach((h) => {
    try {
      h(e);
    } catch (err) {
      console.error("event handler", err);
    }
  });
}

export function connect() {
  stopped = false;
  open();
}

export function disconnect() {
  stopped = true;
  socket?.close();
  socket = null;
}

function open() {
  if (stopped || socket) return;
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/ws";
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    attempts = 0;
    connectedStore.set(true);
    if (everConnected) emit({ type: "reconnected" });
    everConnected = true;
    if (watching) send({ type: "viewing", conversation_id: watching });
  };
  ws.onmessage = (m) => {
    let e: ServerEvent;
    try {
      e = JSON.parse(m.data);
    } catch {
      return;
    }
    if (e.type === "viewing" && e.presence) trackViewer(e);
    emit(e);
  };
  ws.onclose = () => {
    socket = null;
    connectedStore.set(false);
    if (stopped) return;
    const wait = Math.min(15000, 500 * 2 ** attempts++) * (0.75 + Math.random() / 2);
    setTimeout(open, wait);
  };
}

export function send(frame: { type: "viewing" | "typing" | "left"; conversation_id: number }) {
  if (socket && socket.readyState === 1 /* OPEN */) socket.send(JSON.stringify(frame));
}

let watching = 0;
let heartbeat: number | undefined;
/** watch announces that this agent views a conversation (0 = none), renewing it while open. */
export function watch(conversationId: number) {
  if (watching && watching !== conversationId) send({ type: "left", conversation_id: watching });
  watching = conversationId;
  clearInterval(heartbeat);
  if (!conversationId) return;
  send({ type: "viewing", conversation_id: conversationId });
  heartbeat = window.setInterval(() => send({ type: "viewing", conversation_id: conversationId }), 20000);
}

let lastTyping = 0;
/** typing is throttled to one frame every 3 seconds. */
export function typing(conversationId: number) {
  const now = Date.now();
  if (now - lastTyping < 3000) return;
  lastTyping = now;
  send({ type: "typing", conversation_id: conversationId });
}

function trackViewer(e: ServerEvent) {
  const p = e.presence!;
  if (!p.conversation_id) return;
  viewersStore.set((prev) => {
    const next = new Map(prev);
    const agents = new Map(next.get(p.conversation_id!) ?? []);
    if (p.activity === "left") agents.delete(p.agent_id);
    else agents.set(p.agent_id, { ...p, seen: Date.now() });
    next.set(p.conversation_id!, agents);
    return next;
  });
}

// Viewers that stop renewing (closed tab, lost network) fade out; typing fades faster.
setInterval(() => {
  const now = Date.now();
  const prev = viewersStore.get();
  let changed = false;
  const next = new Map<number, Map<number, any>>();
  prev.forEach((agents, cid) => {
    const kept = new Map();
    agents.forEach((v, id) => {
      if (now - v.seen < 45000) kept.set(id, v.activity === "typing" && now - v.seen > 6000 ? { ...v, activity: "viewing" } : v);
      if (now - v.seen >= 45000 || (v.activity === "typing" && now - v.seen > 6000)) changed = true;
    });
    next.set(cid, kept);
  });
  if (changed) viewersStore.set(next);
}, 2000);

window.addEventListener("beforeunload", () => watching && send({ type: "left", conversation_id: watching }));
