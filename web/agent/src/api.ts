// The only module that talks HTTP. Every call goes to the real Parley API
// under /api/v1 with the session cookie; errors become ApiError values that
// carry the server's code, message and details.
import type {
  APIToken, Agent, Attachment, CannedReply, BulkResult, Channel, Contact, Conversation, ConversationUpdate, Counts,
  MergeResult, Message, PageOf, SearchResults, Suggestion, Tag, Team, View360, WhatsAppTemplate,
} from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | undefined | (string | number)[]>;

function queryString(q?: Query): string {
  if (!q) return "";
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === "") continue;
    for (const item of Array.isArray(v) ? v : [v]) p.append(k, String(item));
  }
  const s = p.toString();
  return s ? "?" + s : "";
}

/** Called when any request answers 401, so the app can show the sign-in page. */
export let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(f: () => void) {
  onUnauthorized = f;
}

export async function request<T>(method: string, path: string, body?: unknown, q?: Query): Promise<T> {
  let res: Response;
  try {
    res = await fetch("/api/v1" + path + queryString(q), {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { Accept: "application/json" } : { "Content-Type": "application/json", Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, "network", (e as Error).message);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: any = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const err = data?.error ?? {};
    if (res.status === 401 && path !== "/auth/login") onUnauthorized();
    throw new ApiError(res.status, err.code ?? "http_" + res.status, err.message ?? res.statusText, err.details);
  }
  return data as T;
}

export interface ConversationQuery {
  view?: string;
  status?: string[];
  channel_id?: number;
  platform?: string;
  priority?: number;
  tag?: string;
  assignee_id?: number;
  team_id?: number;
  contact_id?: number;
  sort?: string;
  cursor?: string;
  limit?: number;
}

/** OutgoingMessage is a reply, a note, or a WhatsApp template with its parameters in metadata. */
export interface OutgoingMessage {
  body: string;
  kind: "text" | "note" | "template";
  attachments?: Attachment[];
  metadata?: Record<string, string>;
}

/** MetaConnectInfo tells the channel settings whether one-click connecting works, and which Graph versions near their end. */
export interface MetaConnectInfo {
  enabled: boolean;
  app_id?: string;
  login_config_id?: string;
  whatsapp_config_id?: string;
  graph_version: string;
  warnings: { channel_id?: number; graph_version: string; message: string }[] | null;
}

export type CannedInput = { shortcut: string; title: string; body: string; variants: Record<string, string> };

export const api = {
  login: (email: string, password: string) => request<Agent>("POST", "/auth/login", { email, password }),
  logout: () => request<void>("POST", "/auth/logout"),
  setup: (token: string, email: string, name: string, password: string) =>
    request<Agent>("POST", "/setup", { token, email, name, password }),
  me: () => request<Agent>("GET", "/me"),
  updateMe: (u: { name?: string; language?: string; presence?: string; password?: string }) =>
    request<Agent>("PATCH", "/me", u),

  conversations: (q: ConversationQuery) => request<PageOf<Conversation>>("GET", "/conversations", undefined, q as Query),
  counts: (status?: string[]) => request<Counts>("GET", "/conversations/counts", undefined, { status }),
  conversation: (id: number) => request<Conversation>("GET", `/conversations/${id}`),
  updateConversation: (id: number, u: ConversationUpdate) => request<Conversation>("PATCH", `/conversations/${id}`, u),
  merge: (targetId: number, sourceId: number) =>
    request<Conversation>("POST", `/conversations/${targetId}/merge`, { source_id: sourceId }),
  bulk: (b: { ids: number[]; assignee_id?: number; team_id?: number; add_tags?: string[]; status?: string }) =>
    request<BulkResult>("POST", "/conversations/bulk", b),
  messages: (id: number, cursor?: string, limit = 200) =>
    request<PageOf<Message>>("GET", `/conversations/${id}/messages`, undefined, { cursor, limit }),
  send: (id: number, m: OutgoingMessage) => request<Message>("POST", `/conversations/${id}/messages`, m),
  retry: (messageId: number) => request<Message>("POST", `/messages/${messageId}/retry`),

  contacts: (q: { q?: string; tier?: string; cursor?: string; limit?: number }) =>
    request<PageOf<Contact>>("GET", "/contacts", undefined, q),
  contact: (id: number) => request<Contact>("GET", `/contacts/${id}`),
  createContact: (c: Partial<Contact>) => request<Contact>("POST", "/contacts", c),
  updateContact: (id: number, u: Record<string, unknown>) => request<Contact>("PATCH", `/contacts/${id}`, u),
  contactConversations: (id: number, cursor?: string) =>
    request<PageOf<Conversation>>("GET", `/contacts/${id}/conversations`, undefined, { cursor }),

  contact360: (id: number) => request<View360>("GET", `/contacts/${id}/360`),
  suggestions: (id: number) => request<PageOf<Suggestion>>("GET", `/contacts/${id}/suggestions`),
  mergeContacts: (id: number, sourceId: number) => request<MergeResult>("POST", `/contacts/${id}/merge`, { source_id: sourceId }),
  undoMerge: (mergeId: number) => request<MergeResult>("POST", `/contacts/merges/${mergeId}/undo`),
  dismissSuggestion: (id: number, otherId: number) => request<void>("POST", `/contacts/${id}/suggestions/${otherId}/dismiss`),

  tags: () => request<Tag[] | PageOf<Tag>>("GET", "/tags", undefined, { limit: 200 }),
  createTag: (t: { name: string; color?: string }) => request<Tag>("POST", "/tags", t),
  deleteTag: (name: string) => request<void>("DELETE", `/tags/${encodeURIComponent(name)}`),

  agents: () => request<Agent[] | PageOf<Agent>>("GET", "/agents", undefined, { limit: 200 }),
  createAgent: (a: { email: string; name: string; role: string; password?: string; language?: string }) =>
    request<Agent>("POST", "/agents", a),
  updateAgent: (id: number, u: Record<string, unknown>) => request<Agent>("PATCH", `/agents/${id}`, u),

  teams: () => request<Team[] | PageOf<Team>>("GET", "/teams", undefined, { limit: 200 }),
  createTeam: (t: { name: string; agent_ids: number[] }) => request<Team>("POST", "/teams", t),
  updateTeam: (id: number, t: { name?: string; agent_ids?: number[] }) => request<Team>("PATCH", `/teams/${id}`, t),
  deleteTeam: (id: number) => request<void>("DELETE", `/teams/${id}`),

  channels: () => request<Channel[] | PageOf<Channel>>("GET", "/channels", undefined, { limit: 200 }),
  createChannel: (c: { platform: string; name: string; config: Record<string, string>; secrets: Record<string, string> }) =>
    request<Channel>("POST", "/channels", c),
  updateChannel: (id: number, u: Record<string, unknown>) => request<Channel>("PATCH", `/channels/${id}`, u),
  deleteChannel: (id: number) => request<void>("DELETE", `/channels/${id}`),

  templates: (channelId: number) => request<PageOf<WhatsAppTemplate>>("GET", `/channels/${channelId}/templates`),
  syncTemplates: (channelId: number) => request<PageOf<WhatsAppTemplate> | void>("POST", `/channels/${channelId}/templates/sync`),

  metaConnect: () => request<MetaConnectInfo>("GET", "/connect/meta"),
  connectWhatsApp: (r: { code: string; waba_id: string; phone_number_id: string }) => request<Channel>("POST", "/connect/whatsapp", r),

  cannedReplies: (q?: string) => request<PageOf<CannedReply>>("GET", "/canned-replies", undefined, { q }),
  createCanned: (c: CannedInput) => request<CannedReply>("POST", "/canned-replies", c),
  updateCanned: (id: number, c: Partial<CannedInput>) => request<CannedReply>("PATCH", `/canned-replies/${id}`, c),
  deleteCanned: (id: number) => request<void>("DELETE", `/canned-replies/${id}`),
  markRead: (id: number, messageId: number) => request<void>("POST", `/conversations/${id}/read`, { message_id: messageId }),

  tokens: () => request<PageOf<APIToken>>("GET", "/tokens", undefined, { limit: 200 }),
  createToken: (name: string) => request<APIToken>("POST", "/tokens", { name }),
  deleteToken: (id: number) => request<void>("DELETE", `/tokens/${id}`),

  search: (q: string) => request<SearchResults>("GET", "/search", undefined, { q }),
};

/** isMissingEndpoint tells a node without this endpoint (older, or the feature not built in) from a missing record. */
export function isMissingEndpoint(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 405 || (e.status === 404 && e.message.startsWith("no such endpoint")));
}

/** Lists may come as a bare array or as a page; both read as an array. */
export function itemsOf<T>(r: T[] | PageOf<T> | null | undefined): T[] {
  if (!r) return [];
  if (Array.isArray(r)) return r;
  return r.items ?? [];
}
