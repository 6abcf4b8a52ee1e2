// The visitor's WebSocket: hello with the last message id seen, automatic
// reconnect with backoff and jitter, and a watchdog for dead connections.

export interface MessageView {
  id: number;
  conversation_id: number;
  direction: "in" | "out";
  body: string;
  attachments?: { type: string; url: string; filename?: string; content_type?: string; size?: number }[];
  status: string;
  author?: string;
  client_id?: string;
  created_at: string;
}

export interface ServerFrame {
  type: "ready" | "message" | "caught_up" | "ack" | "nack" | "agent" | "pong" | "error";
  message?: MessageView;
  visitor?: { name: string; email?: string; identified: boolean };
  online?: boolean;
  client_id?: string;
  last_id?: number;
  name?: string;
  activity?: "typing" | "viewing" | "left";
  error?: { code: string; message: string };
}

export interface ConnHandlers {
  frame(f: ServerFrame): void;
  state(connected: boolean): void;
  /** refused is called when the server refuses the token (close 1008). */
  refused(): void;
}

const PING_EVERY = 20000;
const DEAD_AFTER = 50000;

export class Conn {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer = 0;
  private pinger = 0;
  private lastHeard = 0;
  private stopped = false;

  constructor(
    private url: string,
    private hello: () => { token: string; after: number },
    private on: ConnHandlers,
  ) {
    window.addEventListener("online", () => this.reconnectSoon(0));
  }

  start(): void {
    this.stopped = false;
    if (!this.ws) this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000);
    this.ws = null;
  }

  send(frame: object): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private open(): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.reconnectSoon();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.lastHeard = Date.now();
      ws.send(JSON.stringify({ type: "hello", ...this.hello() }));
      clearInterval(this.pinger);
      this.pinger = window.setInterval(() => this.keepAlive(ws), PING_EVERY);
    };
    ws.onmessage = (ev) => {
      this.lastHeard = Date.now();
      let f: ServerFrame;
      try {
        f = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (f.type === "ready") {
        this.attempt = 0;
        this.on.state(true);
      }
      this.on.frame(f);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearInterval(this.pinger);
      this.on.state(false);
      if (ev.code === 1008) {
        this.on.refused();
        return;
      }
      if (!this.stopped) this.reconnectSoon();
    };
  }

  private keepAlive(ws: WebSocket): void {
    if (Date.now() - this.lastHeard > DEAD_AFTER) {
      ws.close(4000, "no answer");
      this.ws = null;
      this.on.state(false);
      this.reconnectSoon(0);
      return;
    }
    if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping"}');
  }

  /** reconnectSoon waits 0.5 s doubling to 15 s, with jitter, then reopens. */
  private reconnectSoon(delay?: number): void {
    if (this.stopped || this.ws) return;
    clearTimeout(this.timer);
    const base = Math.min(15000, 500 * 2 ** this.attempt++);
    const wait = delay ?? base / 2 + Math.random() * (base / 2);
    this.timer = window.setTimeout(() => this.open(), wait);
  }
}
