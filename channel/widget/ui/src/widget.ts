// The chat widget: state, rendering and the conversation with Parley.
import { Api, ApiError, Config, Field, SessionRequest, Upload } from "./api";
import { Conn, MessageView, ServerFrame } from "./conn";
import { el, icon, ICONS, linkify } from "./dom";
import { fill, pickLocale, texts, Texts } from "./i18n";
import { load, newId, save } from "./store";
import { styleSheet } from "./styles";

export interface Options {
  base: string;
  channel: string;
  locale: string | null;
  user: SessionRequest["user"] | null;
}

interface Pending { clientId: string; text: string; files: Upload[]; state: "sending" | "sent" | "failed"; at: number }

const RANK: Record<string, number> = { queued: 1, sending: 2, sent: 3, delivered: 4, read: 5 };

export class Widget {
  private api: Api;
  private cfg!: Config;
  private t!: Texts;
  private tokenKey: string;
  private token: string;
  private conn: Conn | null = null;
  private msgs = new Map<number, MessageView>();
  private pending = new Map<string, Pending>();
  /**
   * lastId is the resume cursor sent in hello: every message up to it has
   * arrived. Live frames can overtake catch-up, so it only moves once the
   * thread is caught up; moving it earlier skips what catch-up had yet to send.
   */
  private lastId = 0;
  private caughtUp = false;
  private isOpen = false;
  private connected = false;
  private agentTyping = "";
  private seenUpTo = 0;
  private readUpTo = 0;
  private deliveredUpTo = 0;
  private visitorEmail = "";
  private needDetails: Field[] = [];
  private typingSent = 0;
  private typingTimer = 0;
  private sessionPromise: Promise<void> | null = null;

  private root!: ShadowRoot;
  private panel!: HTMLElement;
  private log!: HTMLElement;
  private badge!: HTMLElement;
  private launcher!: HTMLButtonElement;
  private status!: HTMLElement;
  private banner!: HTMLElement;
  private typingRow!: HTMLElement;
  private details!: HTMLFormElement;
  private input!: HTMLTextAreaElement;
  private fileInput!: HTMLInputElement;
  private errorRow!: HTMLElement;

  constructor(private opts: Options) {
    this.api = new Api(opts.base, opts.channel);
    this.tokenKey = `parley.widget.${opts.channel}.token`;
    this.token = load(this.tokenKey);
  }

  async start(): Promise<void> {
    this.cfg = await this.api.config();
    const locale = pickLocale(this.cfg.locale, this.opts.locale);
    this.t = texts(locale);
    this.mount(locale);
    if (this.opts.user) await this.session({ user: this.opts.user });
    if (this.token) this.connect();
    this.needDetails = this.token ? [] : this.cfg.prechat;
    this.render();
  }

  open(): void {
    this.isOpen = true;
    this.render();
    this.markRead();
    this.input.focus();
  }

  close(): void {
    this.isOpen = false;
    this.render();
  }

  // ---- building the DOM -------------------------------------------------

  private mount(locale: string): void {
    // A custom tag: a host page's rules for div and the like never match it.
    const host = document.createElement("parley-chat");
    host.id = "parley-widget";
    this.root = host.attachShadow({ mode: "open" });
    this.root.adoptedStyleSheets = [styleSheet(this.cfg.color)];
    const t = this.t;
    this.status = el("div", { class: "status" });
    const min = el("button", { class: "min", type: "button", "aria-label": t.close }, "×");
    min.addEventListener("click", () => this.close());
    this.banner = el("div", { class: "banner", role: "status" }, t.reconnecting);
    this.log = el("div", { class: "log", role: "log", "aria-live": "polite" });
    this.typingRow = el("div", { class: "typing", "aria-live": "polite" });
    this.details = el("form", { class: "details" });
    this.details.addEventListener("submit", (e) => { e.preventDefault(); void this.submitDetails(); });
    this.input = el("textarea", { rows: "1", placeholder: t.placeholder, "aria-label": t.placeholder, maxlength: "8000" });
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); void this.sendText(); }
    });
    this.input.addEventListener("input", () => this.visitorTyping());
    this.fileInput = el("input", { type: "file", hidden: true, accept: this.cfg.upload.types.join(",") });
    this.fileInput.addEventListener("change", () => void this.sendFile());
    const attach = el("button", { class: "icon attach", type: "button", "aria-label": t.attach, title: t.attach, hidden: this.cfg.upload.max_bytes === 0 }, icon(ICONS.clip));
    attach.addEventListener("click", () => this.fileInput.click());
    const send = el("button", { class: "icon send", type: "submit", "aria-label": t.send, title: t.send }, icon(ICONS.send));
    const composer = el("form", { class: "composer" }, attach, this.fileInput, this.input, send);
    composer.addEventListener("submit", (e) => { e.preventDefault(); void this.sendText(); });
    this.errorRow = el("div", { class: "error", role: "alert" });
    this.panel = el("div", { class: "panel", role: "dialog", "aria-label": this.cfg.title, lang: locale },
      el("header", {}, el("div", { class: "who" }, el("div", { class: "title" }, this.cfg.title), this.status), min),
      this.banner, this.log, this.typingRow, this.details, composer, this.errorRow);
    this.badge = el("span", { class: "badge" });
    this.launcher = el("button", { class: "launcher", type: "button", "aria-label": t.open }, icon(ICONS.chat), this.badge);
    this.launcher.addEventListener("click", () => (this.isOpen ? this.close() : this.open()));
    this.root.append(el("div", { class: `pw ${this.cfg.position}` }, this.panel, this.launcher));
    document.body.append(host);
    document.addEventListener("visibilitychange", () => this.markRead());
  }

  // ---- rendering --------------------------------------------------------

  private render(): void {
    const t = this.t;
    this.panel.hidden = !this.isOpen;
    const unread = this.unread();
    this.badge.hidden = this.isOpen || unread === 0;
    this.badge.textContent = String(unread);
    this.launcher.setAttribute("aria-label", unread ? `${t.open} (${fill(t.unread, { n: unread })})` : t.open);
    this.status.textContent = this.cfg.online ? t.online : t.offline;
    this.status.classList.toggle("off", !this.cfg.online);
    this.banner.hidden = !this.token || this.connected || !this.conn;
    this.typingRow.hidden = !this.agentTyping;
    this.typingRow.textContent = this.agentTyping ? fill(t.typing, { name: this.agentTyping }) : "";
    this.renderDetails();
    this.renderLog();
  }

  private renderLog(): void {
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    const rows: Node[] = [];
    const greeting = this.greeting();
    if (greeting) rows.push(this.row("out", greeting, [], "", ""));
    if (!this.cfg.online) rows.push(el("div", { class: "note" }, this.offlineNote()));
    const list = [...this.msgs.values()].sort((a, b) => a.id - b.id);
    const lastIn = list.filter((m) => m.direction === "in").pop();
    const lastOut = list.filter((m) => m.direction === "out").pop();
    for (const m of list) {
      const seen = m === lastIn && (m.id <= this.seenUpTo || (lastOut !== undefined && lastOut.id > m.id));
      rows.push(this.row(m.direction, m.body, m.attachments ?? [], m.direction === "out" ? m.author ?? "" : "", seen ? this.t.seen : ""));
    }
    for (const p of [...this.pending.values()].sort((a, b) => a.at - b.at)) {
      const r = this.row("in", p.text, p.files.map((f) => ({ type: f.content_type.startsWith("image/") ? "image" : "file", url: f.url, filename: f.filename })), "", p.state === "failed" ? this.t.failed : this.t.sending);
      if (p.state === "failed") r.lastElementChild?.addEventListener("click", () => this.retry(p));
      rows.push(r);
    }
    this.log.replaceChildren(...rows);
    if (atBottom || !this.caughtUp) this.log.scrollTop = this.log.scrollHeight;
  }

  private row(dir: "in" | "out", body: string, files: { type: string; url: string; filename?: string }[], author: string, meta: string): HTMLElement {
    const bubble = el("div", { class: "bubble" });
    linkify(bubble, body);
    for (const f of files) {
      const url = this.api.absolute(f.url);
      if (f.type === "image") bubble.append(el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, el("img", { src: url, alt: f.filename ?? "" })));
      else bubble.append(el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, `📎 ${f.filename ?? "file"}`));
    }
    const failed = meta === this.t.failed;
    return el("div", { class: `row ${dir}` }, author ? el("div", { class: "author" }, author) : null, bubble,
      meta ? el("div", { class: failed ? "meta failed" : "meta" }, meta) : null);
  }

  private renderDetails(): void {
    const fields = this.detailFields();
    this.details.hidden = fields.length === 0;
    if (this.details.hidden || this.details.childElementCount) return;
    for (const f of fields) {
      const type = f.name === "email" ? "email" : f.name === "phone" ? "tel" : "text";
      const label = this.t[f.name] + (f.required ? ` (${this.t.required})` : "");
      this.details.append(el("label", {}, label, el("input", { name: f.name, type, required: f.required, autocomplete: f.name === "phone" ? "tel" : f.name })));
    }
    this.details.append(el("button", { class: "primary", type: "submit" }, this.token ? this.t.save : this.t.start));
  }

  /** detailFields: the pre-chat form, or (offline) an e-mail field until we have one. */
  private detailFields(): Field[] {
    if (this.needDetails.length) return this.needDetails;
    if (!this.cfg.online && !this.visitorEmail) return [{ name: "email", required: true }];
    return [];
  }

  private greeting(): string {
    const zh = this.t === texts("zh-CN");
    return (zh && this.cfg.greeting_zh) || this.cfg.greeting || "";
  }

  private offlineNote(): string {
    let note = this.t.offlineNote;
    const next = this.cfg.hours?.next_open;
    if (next) {
      const when = new Date(next).toLocaleString(this.t === texts("zh-CN") ? "zh-CN" : undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });
      note += " " + fill(this.t.nextOpen, { when });
    }
    return note;
  }

  private unread(): number {
    let n = 0;
    for (const m of this.msgs.values()) if (m.direction === "out" && m.id > this.readUpTo && (RANK[m.status] ?? 0) < RANK.read) n++;
    return n;
  }

  private showError(text: string): void {
    this.errorRow.textContent = text;
    window.setTimeout(() => { if (this.errorRow.textContent === text) this.errorRow.textContent = ""; }, 6000);
  }

  // ---- session and connection ------------------------------------------

  private async session(req: SessionRequest): Promise<void> {
    const s = await this.api.session({ ...req, token: this.token || undefined, locale: this.t === texts("zh-CN") ? "zh-CN" : "en" });
    const changed = s.token !== this.token;
    this.token = s.token;
    this.visitorEmail = s.visitor.email ?? "";
    save(this.tokenKey, s.token);
    if (changed && this.conn) { // a different visitor now: start the thread afresh
      this.conn.stop();
      this.conn = null;
      this.msgs.clear();
      this.lastId = 0;
    }
  }

  /** ensureSession creates the visitor on first use (never just for loading the page). */
  private ensureSession(): Promise<void> {
    if (this.token) {
      if (!this.conn) this.connect();
      return Promise.resolve();
    }
    this.sessionPromise ??= this.session({ user: this.opts.user ?? undefined }).then(() => this.connect()).finally(() => { this.sessionPromise = null; });
    return this.sessionPromise;
  }

  private connect(): void {
    this.conn = new Conn(this.api.socketURL(), () => ({ token: this.token, after: this.lastId }), {
      frame: (f) => this.frame(f),
      state: (up) => { this.connected = up; if (!up) this.agentTyping = ""; this.render(); },
      refused: () => { // the token is no longer valid: forget it, start afresh on the next message
        save(this.tokenKey, "");
        this.token = "";
        this.conn = null;
        this.render();
      },
    });
    this.conn.start();
  }

  private frame(f: ServerFrame): void {
    switch (f.type) {
      case "ready":
        this.caughtUp = false;
        this.visitorEmail = f.visitor?.email ?? this.visitorEmail;
        if (f.online !== undefined) this.cfg.online = f.online;
        for (const p of this.pending.values()) if (p.state !== "failed") this.push(p);
        break;
      case "message":
        if (f.message) this.message(f.message);
        break;
      case "caught_up":
        this.caughtUp = true;
        this.lastId = Math.max(this.lastId, f.last_id ?? 0, this.newestId());
        this.receipts();
        break;
      case "ack": {
        const p = this.pending.get(f.client_id ?? "");
        if (p) p.state = "sent";
        break;
      }
      case "nack": {
        const p = this.pending.get(f.client_id ?? "");
        if (!p) break;
        if (f.error?.code === "rate_limited" || f.error?.code === "unavailable") window.setTimeout(() => this.push(p), 2000);
        else { p.state = "failed"; this.showError(f.error?.message ?? this.t.error); }
        break;
      }
      case "agent":
        this.agentTyping = f.activity === "typing" ? f.name ?? "" : "";
        if (f.activity === "typing" || f.activity === "viewing") this.seenUpTo = this.newestId();
        break;
    }
    this.render();
  }

  private message(m: MessageView): void {
    if (m.client_id) this.pending.delete(m.client_id);
    const had = this.msgs.get(m.id);
    if (had && (RANK[had.status] ?? 0) > (RANK[m.status] ?? 0)) m.status = had.status; // statuses only move forward
    this.msgs.set(m.id, m); // by id: catch-up and live delivery may both carry it
    if (this.caughtUp) this.lastId = Math.max(this.lastId, m.id);
    if (m.direction === "out") this.agentTyping = "";
    if (this.caughtUp) this.receipts();
  }

  private newestId(): number {
    let n = 0;
    for (const id of this.msgs.keys()) n = Math.max(n, id);
    return n;
  }

  /** receipts tells Parley what the visitor has received and, when looking, read. */
  private receipts(): void {
    let maxOut = 0;
    for (const m of this.msgs.values()) if (m.direction === "out") maxOut = Math.max(maxOut, m.id);
    if (maxOut > this.deliveredUpTo && this.conn?.send({ type: "delivered", up_to: maxOut })) this.deliveredUpTo = maxOut;
    this.markRead();
  }

  private markRead(): void {
    if (!this.isOpen || document.visibilityState !== "visible") return;
    let maxOut = 0;
    for (const m of this.msgs.values()) if (m.direction === "out" && (RANK[m.status] ?? 0) < RANK.read) maxOut = Math.max(maxOut, m.id);
    if (maxOut > this.readUpTo && this.conn?.send({ type: "read", up_to: maxOut })) this.readUpTo = maxOut;
    this.render();
  }

  // ---- visitor actions --------------------------------------------------

  private async submitDetails(): Promise<void> {
    const data = new FormData(this.details);
    const req: SessionRequest = {};
    for (const f of this.detailFields()) {
      const v = String(data.get(f.name) ?? "").trim();
      if (v) req[f.name] = v;
    }
    if (req.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(req.email)) { this.showError(this.t.invalidEmail); return; }
    try {
      await this.session(req);
      this.needDetails = [];
      this.details.replaceChildren();
      await this.ensureSession();
    } catch (e) {
      this.showError(e instanceof ApiError ? e.message : this.t.error);
    }
    this.render();
  }

  private async sendText(): Promise<void> {
    const text = this.input.value.trim();
    if (!text) return;
    if (this.detailFields().some((f) => f.required)) { this.showError(this.t.invalidEmail); return; }
    this.input.value = "";
    // Some input methods still deliver the Enter as a character: keep the box empty.
    window.setTimeout(() => { if (!this.input.value.trim()) this.input.value = ""; });
    await this.queue(text, []);
  }

  private async sendFile(): Promise<void> {
    const file = this.fileInput.files?.[0];
    this.fileInput.value = "";
    if (!file) return;
    if (file.size > this.cfg.upload.max_bytes) { this.showError(this.t.tooLarge); return; }
    try {
      await this.ensureSession();
      const up = await this.api.upload(this.token, file);
      await this.queue("", [up]);
    } catch (e) {
      const code = e instanceof ApiError ? e.code : "";
      this.showError(code === "too_large" ? this.t.tooLarge : code === "invalid" ? this.t.badType : this.t.uploadFailed);
    }
  }

  private async queue(text: string, files: Upload[]): Promise<void> {
    const p: Pending = { clientId: newId(), text, files, state: "sending", at: Date.now() };
    this.pending.set(p.clientId, p);
    this.render();
    try {
      await this.ensureSession();
    } catch {
      p.state = "failed";
      this.render();
      return;
    }
    this.push(p);
  }

  /** push sends a pending message; if the socket is down, "ready" resends it. */
  private push(p: Pending): void {
    p.state = "sending";
    this.conn?.send({ type: "message", client_id: p.clientId, text: p.text, files: p.files.map((f) => f.id), page: location.href });
  }

  private retry(p: Pending): void {
    this.push(p);
    this.render();
  }

  private visitorTyping(): void {
    const now = Date.now();
    if (now - this.typingSent > 2000 && this.input.value.trim()) {
      this.typingSent = now;
      this.conn?.send({ type: "typing", active: true });
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(() => {
      this.typingSent = 0;
      this.conn?.send({ type: "typing", active: false });
    }, 4000);
  }
}
