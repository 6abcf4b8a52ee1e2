// JSON shapes of the Parley API, mirroring the domain types' JSON tags.

export type Platform =
  | "api" | "messenger" | "facebook_comments" | "instagram" | "whatsapp"
  | "widget" | "email" | "sms" | "voice" | "telegram";

export type Status = "open" | "pending" | "snoozed" | "resolved" | "closed";
export type Priority = 0 | 1 | 2 | 3;
export type View = "mine" | "unassigned" | "teams" | "all";
export type Sort = "newest" | "oldest_waiting" | "priority";
export type Role = "admin" | "supervisor" | "agent";
export type Presence = "online" | "away" | "offline";
export type MessageStatus = "received" | "queued" | "sending" | "sent" | "delivered" | "read" | "failed";
export type MessageKind = "text" | "media" | "note" | "activity" | "call" | "survey" | "template";

export interface Identity {
  id: number;
  contact_id: number;
  kind: string;
  scope_channel_id?: number;
  value: string;
  verified: boolean;
  created_at: string;
}

export interface Contact {
  id: number;
  name: string;
  email?: string;
  phone?: string;
  company?: string;
  tier?: string;
  language?: string;
  avatar_url?: string;
  attributes?: Record<string, string>;
  identities?: Identity[];
  created_at: string;
  updated_at: string;
}

export interface Conversation {
  id: number;
  number: number;
  channel_id: number;
  platform: Platform;
  contact_id: number;
  thread_key?: string;
  subject?: string;
  status: Status;
  priority: Priority;
  tags: string[] | null;
  assignee_id?: number;
  team_id?: number;
  language?: string;
  attributes?: Record<string, string>;
  snoozed_until?: string;
  last_message_at: string;
  last_inbound_at?: string;
  waiting_since?: string;
  last_preview?: string;
  unread_count: number;
  unread?: boolean; // for the requesting agent: a message arrived after what they read
  version: number;
  created_at: string;
  updated_at: string;
  resolved_at?: string;
  contact?: Contact;
}

export interface ConversationUpdate {
  version: number;
  status?: Status;
  priority?: Priority;
  assignee_id?: number;
  clear_assignee?: boolean;
  team_id?: number;
  clear_team?: boolean;
  snoozed_until?: string;
  add_tags?: string[];
  remove_tags?: string[];
  subject?: string;
}

export interface Attachment {
  type: string;
  content_type?: string;
  filename?: string;
  size?: number;
  url?: string;
  caption?: string;
  storage_key?: string; // the node's own copy, served from /api/v1/files/<key>
  platform_id?: string; // the platform's media id, before the node fetched the file
  fetch_error?: string; // the node gave up fetching it from the platform
}

export interface Message {
  id: number;
  conversation_id: number;
  channel_id: number;
  platform: Platform;
  direction: "in" | "out" | "internal";
  kind: MessageKind;
  body: string;
  attachments?: Attachment[];
  author_agent_id?: number;
  contact_id?: number;
  external_id?: string;
  status: MessageStatus;
  failure_code?: string;
  failure_reason?: string;
  attempts?: number;
  next_attempt_at?: string;
  metadata?: Record<string, string>;
  sent_at?: string;
  created_at: string;
  updated_at: string;
}

export interface Agent {
  id: number;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  language: string;
  presence: Presence;
  capacity: number;
  team_ids: number[] | null;
  created_at: string;
  updated_at: string;
}

export interface Team {
  id: number;
  name: string;
  agent_ids: number[] | null;
  created_at: string;
}

export interface Tag {
  name: string;
  color?: string;
  count: number;
}

export interface Channel {
  id: number;
  platform: Platform;
  name: string;
  status: "active" | "disconnected" | "disabled";
  status_reason?: string; // English, often the platform's own words
  status_code?: string; // what kind of reason: auth_failed, webhook_subscription_failed
  config?: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export interface Counts {
  mine: number;
  unassigned: number;
  teams: number;
  all: number;
}

export interface SearchHit {
  conversation_id?: number;
  message_id?: number;
  contact_id?: number;
  number?: number;
  title: string;
  snippet: string;
}

export interface SearchResults {
  conversations: SearchHit[] | null;
  messages: SearchHit[] | null;
  contacts: SearchHit[] | null;
}

export interface PageOf<T> {
  items: T[] | null;
  next_cursor?: string;
}

export interface PresenceInfo {
  agent_id: number;
  agent_name: string;
  presence?: Presence;
  conversation_id?: number;
  activity?: "viewing" | "typing" | "left";
}

export interface ServerEvent {
  type: string;
  agent_id?: number;
  conversation?: Conversation;
  message?: Message;
  contact?: Contact;
  channel?: Channel;
  presence?: PresenceInfo;
  at?: string;
}

export interface BulkResult {
  updated: Conversation[] | null;
  failed: { id: number; error: { code: string; message: string } | string }[] | null;
}

export interface APIToken {
  id: number;
  agent_id: number;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at?: string;
  token?: string; // only in the answer that creates it
}

/** One message of the customer's story across channels (GET /contacts/{id}/360). */
export interface TimelineEntry {
  message_id: number;
  conversation_id: number;
  channel_id: number;
  platform: Platform;
  direction: "in" | "out" | "internal";
  kind: MessageKind;
  body: string;
  at: string;
}

export interface Consent {
  contact_id: number;
  platform: Platform;
  purpose: string;
  granted: boolean;
  source?: string;
  updated_at: string;
}

export interface Claim {
  contact_id: number;
  kind: string;
  value: string;
  channel_id?: number;
  created_at: string;
}

export interface LookupResult {
  status: "ok" | "error" | "disabled" | "hidden";
  data?: unknown;
  error?: string;
  cached: boolean;
  fetched_at?: string;
}

export interface View360 {
  contact: Contact;
  claims: Claim[] | null;
  conversations: Conversation[] | null;
  timeline: TimelineEntry[] | null;
  links: { conversation_id: number; linked_id: number; reason: string; created_at: string }[] | null;
  repeat_count: number;
  consents: Consent[] | null;
  csat: { available: boolean; note?: string; note_code?: string; items: Record<string, unknown>[] | null };
  external?: LookupResult;
}

export interface Evidence {
  kind: string;
  value: string;
  detail: string; // English; source and other_source say the same in codes
  source?: string;
  other_source?: string;
}

export interface Suggestion {
  contact: Contact;
  evidence: Evidence[] | null;
}

export interface MergeResult {
  merge_id: number;
  survivor_id: number;
  source_id: number;
  survivor: Contact;
  identities_moved: number;
  conversations_moved: number;
  conflicts: { field: string; kept: string; discarded: string }[] | null;
}

/** A WhatsApp message template as Meta approved it; {{1}}…{{n}} are filled per message. */
export interface WhatsAppTemplate {
  name: string;
  language: string;
  category: "MARKETING" | "UTILITY" | "AUTHENTICATION";
  status: "APPROVED" | "PENDING" | "REJECTED" | "PAUSED" | "DISABLED";
  body: string;
  header?: string;
  footer?: string;
  params: number;
}

/** A canned reply; variants hold shorter texts per platform ("whatsapp": "…"). */
export interface CannedReply {
  id: number;
  shortcut: string;
  title: string;
  body: string;
  variants: Record<string, string> | null;
  created_at: string;
  updated_at: string;
}
