// Seed data for the development mock: a believable support team's inbox.
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface Db {
  session: number;
  agents: any[];
  teams: any[];
  channels: any[];
  contacts: any[];
  conversations: any[];
  messages: Map<number, any[]>;
  tags(): any[];
  withContact(c: any): any;
  messagesOf(id: number): any[];
  addMessage(c: any, m: any): any;
}

function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

export function seed(): Db {
  const rand = rng(42);
  const pick = <T,>(a: T[]) => a[Math.floor(rand() * a.length)];
  const now = Date.now();
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
  const min = 60000;
  const hour = 60 * min;

  const agents = [
    { id: 1, email: "ana@example.com", name: "Ana Souza", role: "admin", active: true, language: "en", presence: "online", capacity: 0, team_ids: [1, 2] },
    { id: 2, email: "bo@example.com", name: "Bo Chen", role: "agent", active: true, language: "zh-CN", presence: "online", capacity: 8, team_ids: [1] },
    { id: 3, email: "carla@example.com", name: "Carla Díaz", role: "supervisor", active: true, language: "en", presence: "away", capacity: 0, team_ids: [2] },
    { id: 4, email: "li@example.com", name: "李明", role: "agent", active: true, language: "zh-CN", presence: "offline", capacity: 6, team_ids: [1] },
    { id: 5, email: "sam@example.com", name: "Sam Okafor", role: "agent", active: false, language: "en", presence: "offline", capacity: 0, team_ids: [] },
  ].map((a) => ({ ...a, created_at: iso(90 * 24 * hour), updated_at: iso(hour) }));
  const teams = [
    { id: 1, name: "Billing", agent_ids: [1, 2, 4], created_at: iso(80 * 24 * hour) },
    { id: 2, name: "Support EU", agent_ids: [1, 3], created_at: iso(80 * 24 * hour) },
  ];
  const channels = [
    { id: 1, platform: "messenger", name: "Acme Store", status: "active", config: { page_id: "104233118765432" } },
    { id: 2, platform: "whatsapp", name: "Acme WhatsApp", status: "active", config: { phone_number_id: "106540352242922" } },
    { id: 3, platform: "instagram", name: "@acmestore", status: "disconnected", status_reason: "The access token expired on Nov 18. Reconnect to resume sending.", config: { ig_account_id: "17841400000000" } },
    { id: 4, platform: "email", name: "support@acme.com", status: "active", config: { from_address: "support@acme.com" } },
    { id: 5, platform: "widget", name: "Website chat", status: "active", config: {} },
    { id: 6, platform: "telegram", name: "@AcmeHelpBot", status: "active", config: {} },
    { id: 7, platform: "api", name: "Order system", status: "disabled", config: { webhook_url: "https://orders.acme.internal/parley" } },
  ].map((c) => ({ ...c, created_at: iso(60 * 24 * hour), updated_at: iso(3 * hour) }));

  const names = ["Maria Rossi", "João Pereira", "Emma Schmidt", "王芳", "Lucas Martin", "Aiko Tanaka", "Noah Williams", "Fatima Zahra", "Oliver Brown", "Chloé Bernard",
    "张伟", "Sofia Costa", "Liam O'Connor", "Priya Patel", "Mateo García", "Hannah Müller", "Yusuf Demir", "Grace Kim", "Elena Popescu", "Tom Baker"];
  const kindOf: Record<string, string> = { messenger: "messenger", whatsapp: "whatsapp", instagram: "instagram", email: "email", widget: "widget", telegram: "telegram", api: "external" };
  const contacts = names.map((name, i) => {
    const ch = channels[i % 6];
    const email = name.includes(" ") ? name.toLowerCase().replace(/[^a-z ]/g, "").replace(" ", ".") + "@mail.com" : undefined;
    const identities = [{ id: i * 3 + 1, contact_id: i + 1, kind: kindOf[ch.platform], scope_channel_id: ch.id, value: ch.platform === "whatsapp" ? "+3519120" + (10000 + i * 37) : String(7000000000 + i * 7919), verified: true }];
    if (email) identities.push({ id: i * 3 + 2, contact_id: i + 1, kind: "email", scope_channel_id: 0, value: email, verified: i % 3 === 0 });
    if (i % 4 === 0) identities.push({ id: i * 3 + 3, contact_id: i + 1, kind: "phone", scope_channel_id: 0, value: "+3519120" + (10000 + i * 37), verified: false });
    return {
      id: i + 1, name, email, phone: i % 4 === 0 ? "+3519120" + (10000 + i * 37) : undefined, company: i % 5 === 0 ? "Globex" : undefined,
      tier: i % 7 === 0 ? "vip" : undefined, language: ["en", "pt", "de", "zh", "fr", "ja"][i % 6],
      attributes: i % 2 ? { plan: pick(["Basic", "Pro", "Business"]), orders: String(1 + (i % 9)), city: pick(["Lisbon", "Berlin", "Shanghai", "Paris", "Tokyo"]) } : undefined,
      identities, created_at: iso((30 + i) * 24 * hour), updated_at: iso(i * hour),
    };
  });

  const openers = [
    "Hi, my order #48213 still hasn't arrived. It's been 9 days.",
    "Can I change the delivery address for my last order?",
    "I was charged twice for the same subscription this month.",
    "您好，我想申请退货，请问流程是什么？",
    "The discount code SPRING20 doesn't work at checkout.",
    "こんにちは、サイズ交換はできますか？",
    "Do you ship to Canada? And how long does it take?",
    "My account is locked after too many login attempts.",
    "The blender arrived with a cracked jar 😞 photo attached",
    "I'd like to cancel my Pro plan at the end of the month.",
  ];
  const subjects = ["Late delivery", "Address change", "Double charge", "退货申请", "Discount code", "サイズ交換", "Shipping to Canada", "Locked account", "Damaged item", "Cancel subscription"];
  const statuses = ["open", "open", "open", "pending", "open", "snoozed", "resolved", "open", "open", "pending"];
  const conversations: any[] = [];
  const messages = new Map<number, any[]>();
  let msgId = 1;
  const addMessage = (c: any, m: any) => {
    const at = m.at ?? new Date().toISOString();
    const full = {
      id: msgId++, conversation_id: c.id, channel_id: c.channel_id, platform: c.platform, attachments: undefined, ...m,
      sent_at: at, created_at: at, updated_at: at,
    };
    delete full.at;
    const list = messages.get(c.id) ?? [];
    list.push(full);
    messages.set(c.id, list);
    if (m.kind !== "activity" && m.kind !== "note") {
      c.last_message_at = at;
      c.last_preview = m.body;
    }
    return full;
  };

  for (let i = 0; i < 36; i++) {
    const contact = contacts[i % contacts.length];
    const ch = channels[(i * 5) % 6];
    const ago = (i * 37 + 3) * min + (i > 20 ? i * hour : 0);
    const k = i % openers.length;
    const c: any = {
      id: 100 + i, number: 1040 + i, channel_id: ch.id, platform: ch.platform, contact_id: contact.id,
      subject: ch.platform === "email" ? subjects[k] : undefined,
      status: statuses[i % statuses.length], priority: [1, 1, 2, 1, 3, 0, 1, 2][i % 8],
      tags: ["channel:" + ch.platform, ...(i % 3 === 0 ? ["billing"] : []), ...(i % 4 === 1 ? ["shipping"] : []), ...(i % 5 === 2 ? ["refund"] : [])],
      assignee_id: i % 4 === 3 ? undefined : [1, 2, 1, 3][i % 4], team_id: i % 2 ? 1 : 2,
      unread_count: i % 3 === 0 ? 1 + (i % 4) : 0, version: 3, created_at: iso(ago + 2 * hour), updated_at: iso(ago),
      last_inbound_at: iso(ago + (i % 5 === 4 ? 26 * hour : 0)), waiting_since: i % 3 !== 2 ? iso(ago) : undefined,
      snoozed_until: statuses[i % statuses.length] === "snoozed" ? new Date(now + 20 * hour).toISOString() : undefined,
    };
    conversations.push(c);
    const agent = c.assignee_id ?? 1;
    const long = i === 0 ? 2000 : 0;
    addMessage(c, { direction: "in", kind: "text", body: openers[k], contact_id: contact.id, status: "received", at: iso(ago + 2 * hour) });
    addMessage(c, { direction: "internal", kind: "activity", body: "Assigned to " + (agents.find((a) => a.id === agent)!.name), status: "received", at: iso(ago + 2 * hour - 5 * min) });
    addMessage(c, { direction: "out", kind: "text", body: `Hi ${contact.name.split(" ")[0]}, thanks for reaching out! Let me look into this for you.`, author_agent_id: agent, status: "read", at: iso(ago + 2 * hour - 8 * min) });
    if (k === 8) addMessage(c, { direction: "in", kind: "media", body: "", contact_id: contact.id, status: "received", attachments: [{ type: "image", url: "data:image/svg+xml," + encodeURIComponent("<svg xmlns='http://www.w3.org/2000/svg' width='320' height='200'><rect width='320' height='200' fill='%23e9ecef'/><path d='M110 60h100l-10 90h-80z' fill='%23adb5bd'/><path d='M150 70l10 30-12 20 14 25' stroke='%23495057' stroke-width='3' fill='none'/></svg>").replace(/%2523/g, "%23") }, { type: "file", filename: "receipt-48213.pdf", size: 184320, url: "#" }], at: iso(ago + hour) });
    addMessage(c, { direction: "internal", kind: "note", body: "Checked with the warehouse: the parcel left on Monday. Tracking shows a customs hold.", author_agent_id: 3, status: "received", at: iso(ago + hour - 20 * min) });
    addMessage(c, { direction: "out", kind: "text", body: "Your parcel is held at customs. I've asked the carrier to release it; you should get it within 2 business days.", author_agent_id: agent, status: i % 6 === 1 ? "failed" : i % 2 ? "delivered" : "sent", failure_reason: i % 6 === 1 ? "Outside the 24-hour window: the customer must write first (code 10)" : undefined, at: iso(ago + 30 * min) });
    addMessage(c, { direction: "in", kind: "text", body: i % 2 ? "Thanks! Can you send me the tracking link again?" : "Ok, thank you. Will it need any signature?", contact_id: contact.id, status: "received", at: iso(ago) });
    for (let j = 0; j < long; j++) {
      addMessage(c, { direction: j % 2 ? "out" : "in", kind: "text", body: `Message ${j + 1} of a very long thread. ` + "Lorem ipsum dolor sit amet. ".repeat(1 + (j % 5)), status: j % 2 ? "read" : "received", author_agent_id: j % 2 ? 1 : undefined, contact_id: j % 2 ? undefined : contact.id, at: iso(ago + (long - j) * 1000) });
    }
  }
  return {
    session: 0, agents, teams, channels, contacts, conversations, messages,
    tags: () => {
      const counts = new Map<string, number>();
      conversations.forEach((c) => c.tags.forEach((t: string) => counts.set(t, (counts.get(t) ?? 0) + 1)));
      const color: Record<string, string> = { billing: "#4f46e5", shipping: "#0f9aa8", refund: "#c2255c" };
      return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([name, count]) => ({ name, count, color: color[name] }));
    },
    withContact: (c) => ({ ...c, contact: contacts.find((x) => x.id === c.contact_id) }),
    messagesOf: (id) => (messages.get(id) ?? []).slice().sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id),
    addMessage,
  };
}
