// WhatsApp templates: the only messages a business may send once the
// customer's 24-hour window has closed. The node lists the channel's
// templates as Meta approved them; the agent fills the {{n}} parameters.
import { api, isMissingEndpoint } from "./api";
import type { WhatsAppTemplate } from "./types";

/** paramCount is the template's number of parameters: the server's figure, or the highest {{n}} in its texts. */
export function paramCount(tpl: WhatsAppTemplate): number {
  let n = tpl.params || 0;
  for (const text of [tpl.header, tpl.body]) {
    for (const m of (text ?? "").matchAll(/\{\{(\d+)\}\}/g)) n = Math.max(n, Number(m[1]));
  }
  return n;
}

/** fill puts the values into {{1}}…{{n}}; an empty value stays visible as its placeholder. */
export function fill(text: string | undefined, values: string[]): string {
  return (text ?? "").replace(/\{\{(\d+)\}\}/g, (m, i) => values[Number(i) - 1]?.trim() || m);
}

/** render is the text the agent and the thread see for a filled template. */
export function render(tpl: WhatsAppTemplate, values: string[]): string {
  return [fill(tpl.header, values), fill(tpl.body, values), tpl.footer ?? ""].filter(Boolean).join("\n\n");
}

const cache = new Map<number, Promise<WhatsAppTemplate[] | null>>();

/** channelTemplates loads a channel's templates once; null means the node offers none (no endpoint). */
export function channelTemplates(channelId: number, fresh = false): Promise<WhatsAppTemplate[] | null> {
  if (fresh || !cache.has(channelId)) {
    cache.set(channelId, api.templates(channelId).then(
      (p) => p.items ?? [],
      (e) => {
        if (isMissingEndpoint(e)) return null;
        cache.delete(channelId);
        throw e;
      },
    ));
  }
  return cache.get(channelId)!;
}
