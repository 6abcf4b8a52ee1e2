// A development-only stand-in for the Parley API, served by the Vite dev
// server (npm run dev) when PARLEY_API is not set. It is never part of the
// build: the shipped app talks only to the real server. Set PARLEY_API to a
// running server's URL to develop against the real thing instead.
import type { Plugin } from "vite";
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { seed, type Db } from "./data";

export function devMock(): Plugin {
  const db = seed();
  return {
    name: "parley-dev-mock",
    configureServer(server) {
      server.httpServer?.on("upgrade", (req, socket) => {
        if (req.url?.startsWith("/api/v1/ws")) liveSocket(db, req, socket as Socket);
      });
      server.middlewares.use("/api/v1", (req, res, next) => {
        handle(db, req, res).catch((e) => {
          console.error(e);
          send(res, 500, { error: { code: "internal", message: String(e) } });
        }).then((handled) => handled === false && next());
      });
    },
  };
}

function send(res: ServerResponse, status: number, body?: unknown) {
  res.statusCode = status;
  if (body === undefined) return res.end();
  res.setHeader("Content-Type", "application/json");
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<any> {
  let s = "";
  for await (const chunk of req) s += chunk;
  return s ? JSON.parse(s) : {};
}

function page<T>(all: T[], q: URLSearchParams) {
  const start = Number(q.get("cursor") || 0);
  const limit = Math.min(200, Number(q.get("limit") || 50));
  const items = all.slice(start, start + limit);
  return { items, next_cursor: start + limit < all.length ? String(start + limit) : "" };
}

const err = (res: ServerResponse, status: number, code: string, message: string, details?: unknown) =>
  send(res, status, { error: { code, message, details } });

async function handle(db: Db, req: IncomingMessage, res: ServerResponse): Promise<boolean | void> {
  const url = new URL(req.url ?? "/", "http://x");
  const path = url.pathname;
  const q = url.searchParams;
  const m = req.method ?? "GET";
  const now = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 40)); // a little latency keeps loading states honest

  if (m === "POST" && path === "/auth/login") {
    const b = await readBody(req);
    const a = db.agents.find((x) => x.email === b.email);
    if (!a || b.password !== "password") return err(res, 401, "unauthorized", "wrong e-mail or password");
    db.session = a.id;
    return send(res, 200, a);
  }
  if (m === "POST" && path === "/setup") {
    const b = await readBody(req);
    db.session = db.agents[0].id;
    return send(res, 201, { ...db.agents[0], name: b.name, email: b.email });
  }
  if (!db.session) return err(res, 401, "unauthorized", "sign in first");
  const me = db.agents.find((a) => a.id === db.session)!;
  if (m === "POST" && path === "/auth/logout") {
    db.session = 0;
    return send(res, 204);
  }
  if (path === "/me") {
    if (m === "PATCH") Object.assign(me, await readBody(req), { updated_at: now });
    return send(res, 200, me);
  }
  if (path === "/conversations/counts") {
    const active = db.conversations.filter((c) => c.status === "open" || c.status === "pending");
    return send(res, 200, {
      mine: active.filter((c) => c.assignee_id === me.id).length,
      unassigned: active.filter((c) => c.assignee_id == null).length,
      teams: active.filter((c) => c.team_id != null && me.team_ids.includes(c.team_id)).length,
      all: active.length,
    });
  }
  if (m === "GET" && path === "/conversations") {
    let list = db.conversations.slice();
    const view = q.get("view");
    if (view === "mine") list = list.filter((c) => c.assignee_id === me.id);
    if (view === "unassigned") list = list.filter((c) => c.assignee_id == null);
    if (view === "teams") list = list.filter((c) => c.team_id != null && me.team_ids.includes(c.team_id));
    const statuses = q.getAll("status");
    if (statuses.length) list = list.filter((c) => statuses.includes(c.status));
    for (const k of ["channel_id", "priority", "assignee_id", "team_id", "contact_id"] as const) {
      if (q.get(k)) list = list.filter((c) => String((c as any)[k]) === q.get(k));
    }
    if (q.get("tag")) list = list.filter((c) => c.tags.includes(q.get("tag")!));
    const w = (s?: string) => (s ? Date.parse(s) : Infinity);
    const sort = q.get("sort");
    if (sort === "oldest_waiting") list.sort((a, b) => w(a.waiting_since) - w(b.waiting_since));
    else if (sort === "priority") list.sort((a, b) => b.priority - a.priority || w(a.waiting_since) - w(b.waiting_since));
    else list.sort((a, b) => Date.parse(b.last_message_at) - Date.parse(a.last_message_at));
    return send(res, 200, page(list.map((c) => db.withContact(c)), q));
  }
  if (m === "POST" && path === "/conversations/bulk") {
    const b = await readBody(req);
    const updated = [];
    for (const id of b.ids) {
      const c = db.conversations.find((x) => x.id === id);
      if (!c) continue;
      if (b.assignee_id) c.assignee_id = b.assignee_id;
      if (b.team_id) c.team_id = b.team_id;
      if (b.status) c.status = b.status;
      if (b.add_tags) c.tags = [...new Set([...c.tags, ...b.add_tags])];
      c.version++;
      updated.push(db.withContact(c));
    }
    return send(res, 200, { updated, failed: [] });
  }
  let g = /^\/conversations\/(\d+)(\/messages|\/merge)?$/.exec(path);
  if (g) {
    const c = db.conversations.find((x) => x.id === Number(g![1]));
    if (!c) return err(res, 404, "not_found", "conversation not found");
    if (!g[2] && m === "GET") return send(res, 200, db.withContact(c));
    if (!g[2] && m === "PATCH") {
      const b = await readBody(req);
      if (b.version !== c.version) return err(res, 409, "conflict", "the conversation changed", db.withContact(c));
      if (b.status) c.status = b.status;
      if (b.priority !== undefined) c.priority = b.priority;
      if (b.assignee_id) c.assignee_id = b.assignee_id;
      if (b.clear_assignee) delete c.assignee_id;
      if (b.team_id) c.team_id = b.team_id;
      if (b.clear_team) delete c.team_id;
      if (b.snoozed_until) c.snoozed_until = b.snoozed_until;
      if (b.add_tags) c.tags = [...new Set([...c.tags, ...b.add_tags])];
      if (b.remove_tags) c.tags = c.tags.filter((x: string) => !b.remove_tags.includes(x));
      c.version++;
      c.updated_at = now;
      return send(res, 200, db.withContact(c));
    }
    if (g[2] === "/merge") return send(res, 200, db.withContact(c));
    if (g[2] === "/messages" && m === "GET") return send(res, 200, page(db.messagesOf(c.id), q));
    if (g[2] === "/messages" && m === "POST") {
      const b = await readBody(req);
      const msg = db.addMessage(c, { direction: b.kind === "note" ? "internal" : "out", kind: b.kind, body: b.body, author_agent_id: me.id, status: b.kind === "note" ? "received" : "queued" });
      return send(res, 201, msg);
    }
  }
  g = /^\/messages\/(\d+)\/retry$/.exec(path);
  if (g) {
    for (const list of db.messages.values()) {
      const msg = list.find((x) => x.id === Number(g![1]));
      if (msg) {
        Object.assign(msg, { status: "queued", failure_reason: undefined, updated_at: now });
        return send(res, 200, msg);
      }
    }
    return err(res, 404, "not_found", "message not found");
  }
  if (path === "/contacts" && m === "GET") {
    const text = (q.get("q") ?? "").toLowerCase();
    return send(res, 200, page(db.contacts.filter((c) => !text || [c.name, c.email, c.phone].some((v) => v?.toLowerCase().includes(text))), q));
  }
  if (path === "/contacts" && m === "POST") {
    const b = await readBody(req);
    const c = { ...b, id: db.contacts.length + 1, identities: [], created_at: now, updated_at: now };
    db.contacts.push(c);
    return send(res, 201, c);
  }
  g = /^\/contacts\/(\d+)(\/conversations)?$/.exec(path);
  if (g) {
    const c = db.contacts.find((x) => x.id === Number(g![1]));
    if (!c) return err(res, 404, "not_found", "contact not found");
    if (g[2]) return send(res, 200, page(db.conversations.filter((x) => x.contact_id === c.id).map((x) => db.withContact(x)), q));
    if (m === "PATCH") Object.assign(c, await readBody(req), { updated_at: now });
    return send(res, 200, c);
  }
  if (path === "/tags" && m === "GET") return send(res, 200, page(db.tags(), q));
  if (path === "/agents" && m === "GET") return send(res, 200, page(db.agents, q));
  if (path === "/teams" && m === "GET") return send(res, 200, page(db.teams, q));
  if (path === "/channels" && m === "GET") return send(res, 200, page(db.channels, q));
  if (path === "/search") {
    const text = (q.get("q") ?? "").toLowerCase();
    const mark = (s: string) => s.replace(new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), (x) => `<mark>${x}</mark>`);
    const hits = [];
    for (const [cid, list] of db.messages) {
      for (const msg of list) {
        if (hits.length < 8 && msg.body.toLowerCase().includes(text)) {
          const c = db.conversations.find((x) => x.id === cid)!;
          hits.push({ conversation_id: cid, message_id: msg.id, number: c.number, title: db.contacts.find((x) => x.id === c.contact_id)!.name, snippet: mark(msg.body) });
        }
      }
    }
    const contacts = db.contacts.filter((c) => c.name.toLowerCase().includes(text)).slice(0, 5).map((c) => ({ contact_id: c.id, title: mark(c.name), snippet: c.email ?? "" }));
    const convs = db.conversations.filter((c) => (c.subject ?? "").toLowerCase().includes(text)).slice(0, 5).map((c) => ({ conversation_id: c.id, number: c.number, title: mark(c.subject!), snippet: c.last_preview ?? "" }));
    return send(res, 200, { conversations: convs, messages: hits, contacts });
  }
  if (path === "/ws") return send(res, 404);
  // As the real node answers: the app hides features whose endpoint is missing.
  return err(res, 404, "not_found", `no such endpoint: ${m} /api/v1${path}`);
}

/**
 * liveSocket speaks just enough WebSocket (RFC 6455, server to client text
 * frames) to show the UI live: a hello, then now and then a customer message
 * on a random open ticket.
 */
function liveSocket(db: Db, req: IncomingMessage, socket: Socket) {
  const key = req.headers["sec-websocket-key"];
  if (!key) return socket.destroy();
  const accept = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const send = (v: unknown) => {
    const data = Buffer.from(JSON.stringify(v));
    const head = data.length < 126 ? Buffer.from([0x81, data.length])
      : data.length < 65536 ? Buffer.from([0x81, 126, data.length >> 8, data.length & 255])
      : Buffer.concat([Buffer.from([0x81, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(data.length)); return b; })()]);
    socket.write(Buffer.concat([head, data]));
  };
  send({ type: "hello", agent_id: db.session });
  const lines = ["Any update on this?", "Thanks, that worked!", "Can I also change the colour?", "我明天可以取货吗？", "Is someone there?"];
  const timer = setInterval(() => {
    const open = db.conversations.filter((c) => c.status === "open");
    if (!open.length) return;
    const c = open[Math.floor(Math.random() * open.length)];
    const m = db.addMessage(c, { direction: "in", kind: "text", body: lines[Math.floor(Math.random() * lines.length)], contact_id: c.contact_id, status: "received" });
    c.unread_count++;
    c.waiting_since ??= m.created_at;
    c.last_inbound_at = m.created_at;
    c.version++;
    send({ type: "message.created", message: m, conversation: db.withContact(c), at: m.created_at });
  }, 15000);
  socket.on("data", (buf: Buffer) => {
    if ((buf[0] & 0x0f) === 8) socket.end(); // close frame
  });
  socket.on("close", () => clearInterval(timer));
  socket.on("error", () => clearInterval(timer));
}
