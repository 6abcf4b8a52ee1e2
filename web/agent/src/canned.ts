// Canned replies, kept on the server and shared by every agent. Each has a
// full text and optional shorter variants per platform (a chat wants two
// lines where an e-mail wants a paragraph); {name} and {agent} are filled in.
import { api, isMissingEndpoint } from "./api";
import { t } from "./i18n";
import { createStore } from "./store";
import type { CannedReply } from "./types";

/** cannedStore holds the team's canned replies; null until loaded. */
export const cannedStore = createStore<CannedReply[] | null>(null);
let loading: Promise<void> | undefined;

/** loadCanned fetches the list once (again with fresh). A node without the endpoint gets a few built-in replies. */
export function loadCanned(fresh = false): Promise<void> {
  if (loading && !fresh) return loading;
  loading = api.cannedReplies().then(
    (p) => cannedStore.set(p.items ?? []),
    (e) => {
      if (isMissingEndpoint(e)) cannedStore.set(builtIn());
      else loading = undefined;
    },
  );
  return loading;
}

/** textFor picks the reply's text for a platform: its variant there, else the full text. */
export function textFor(c: CannedReply, platform: string): string {
  return c.variants?.[platform]?.trim() || c.body;
}

export function matchCanned(list: CannedReply[], q: string, platform: string): CannedReply[] {
  const s = q.toLowerCase();
  return list.filter((c) => c.shortcut.toLowerCase().startsWith(s) || c.title.toLowerCase().includes(s) || textFor(c, platform).toLowerCase().includes(s));
}

export function fillCanned(text: string, vars: { name?: string; agent?: string }): string {
  return text.replace(/\{(name|agent)\}/g, (_, k: "name" | "agent") => vars[k] ?? "");
}

function builtIn(): CannedReply[] {
  const now = new Date().toISOString();
  return (["hello", "thanks", "wait", "order", "refund", "bye"] as const).map((k, i) => ({
    id: -(i + 1), shortcut: k, title: k, body: t(`canned.${k}`), variants: {}, created_at: now, updated_at: now,
  }));
}
