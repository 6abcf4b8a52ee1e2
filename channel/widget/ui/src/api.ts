// HTTP calls to Parley: the public config, sessions and uploads.

export interface Field { name: "name" | "email" | "phone" | "company"; required: boolean }

export interface Config {
  channel_id: number;
  title: string;
  color: string;
  position: "left" | "right";
  greeting?: string;
  greeting_zh?: string;
  locale: string;
  prechat: Field[];
  online: boolean;
  hours?: { schedule: string; timezone: string; next_open?: string };
  upload: { max_bytes: number; types: string[] };
}

export interface Visitor { name: string; email?: string; identified: boolean }

export interface Session { token: string; visitor: Visitor }

export interface Attachment { type: string; url: string; filename?: string; content_type?: string; size?: number }

export interface Upload { id: string; filename: string; content_type: string; size: number; url: string }

export interface SessionRequest {
  token?: string;
  name?: string;
  email?: string;
  phone?: string;
  company?: string;
  locale?: string;
  user?: { id: string; signature: string; name?: string; email?: string };
}

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

export class Api {
  constructor(private base: string, private channel: string) {}

  url(path: string): string {
    return `${this.base}/widget/v1/channels/${encodeURIComponent(this.channel)}${path}`;
  }

  socketURL(): string {
    return this.url("/ws").replace(/^http/, "ws");
  }

  /** absolute resolves a file address that Parley may give relative to itself. */
  absolute(u: string): string {
    return new URL(u, this.base).toString();
  }

  config(): Promise<Config> {
    return this.call<Config>("GET", "/config");
  }

  session(req: SessionRequest): Promise<Session> {
    return this.call<Session>("POST", "/session", JSON.stringify(req));
  }

  upload(token: string, file: File): Promise<Upload> {
    const form = new FormData();
    form.append("file", file, file.name);
    return this.call<Upload>("POST", "/uploads", form, { Authorization: `Bearer ${token}` });
  }

  private async call<T>(method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}): Promise<T> {
    if (typeof body === "string") headers["Content-Type"] = "application/json";
    const res = await fetch(this.url(path), { method, body, headers, credentials: "omit", mode: "cors" });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const e = data && data.error ? data.error : { code: "internal", message: res.statusText };
      throw new ApiError(res.status, e.code, e.message);
    }
    return data as T;
  }
}
