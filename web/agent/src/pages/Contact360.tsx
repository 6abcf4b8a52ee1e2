// The contact page: the editable contact on the left, and on the right
// everything the node knows about the person across channels: one timeline
// of all their tickets, consent per channel, satisfaction ratings, the
// company's own data, and contacts that may be the same person.
import { useEffect, useState } from "preact/hooks";
import { NewEmailButton } from "./NewEmail";
import { api, isMissingEndpoint } from "../api";
import { ago, dateTime, t, type MessageKey } from "../i18n";
import { platformInfo } from "../platforms";
import { link } from "../router";
import { channelById, toast } from "../store";
import type { Conversation, Evidence, MergeResult, Suggestion, View360 } from "../types";
import { Avatar, Spinner, StatusPill, errorText } from "../ui/common";
import { Icon, PlatformIcon } from "../ui/icons";
import { onEvent } from "../ws";
import { ContactPanel } from "./ContactPanel";

export function Contact360Page({ contactId }: { contactId: number }) {
  const [view, setView] = useState<View360 | null>(null);
  const [error, setError] = useState("");
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  useEffect(() => {
    let live = true;
    setError("");
    api.contact360(contactId).then((v) => live && setView(v), (e) => live && setError(errorText(e)));
    const off = onEvent((e) => e.type === "contact.updated" && e.contact?.id === contactId && reload());
    return () => {
      live = false;
      off();
    };
  }, [contactId, version]);
  return (
    <div class="contact-360">
      <ContactPanel key={contactId + ":" + version} contactId={contactId} wide />
      <div class="c360-main">
        <div class="c360-actions"><NewEmailButton contactId={contactId} small /></div>
        {error ? <p class="pane-error" role="alert">{error}</p> : !view ? <Spinner /> : (
          <>
            <Suggestions contactId={contactId} onMerged={reload} />
            <Timeline view={view} />
            <div class="c360-grid">
              <Consents view={view} />
              <CSAT view={view} />
            </div>
            <CompanyData view={view} />
          </>
        )}
      </div>
    </div>
  );
}

/** Timeline is every ticket's messages as one story, newest first, each marked with its channel. */
function Timeline({ view }: { view: View360 }) {
  const convs = new Map<number, Conversation>((view.conversations ?? []).map((c) => [c.id, c]));
  // The customer's story is what was said; activity lines stay in each ticket's own thread.
  const entries = (view.timeline ?? []).filter((e) => e.kind !== "activity").reverse();
  const channels = new Set((view.conversations ?? []).map((c) => c.channel_id));
  return (
    <section class="c360-section">
      <h3>{t("c360.timeline")}</h3>
      <p class="muted">{t("c360.timelineSummary", { tickets: convs.size, channels: channels.size, repeat: view.repeat_count })}</p>
      {entries.length === 0 ? <p class="muted">{t("contact.noTickets")}</p> : (
        <ol class="timeline">
          {entries.map((e) => {
            const c = convs.get(e.conversation_id);
            const channel = channelById(e.channel_id)?.name ?? platformInfo(e.platform).name;
            return (
              <li class={"tl-entry " + e.direction + (e.kind === "activity" ? " activity" : "")} data-platform={e.platform}>
                <span class="tl-mark" title={channel}><PlatformIcon platform={e.platform} size={16} /></span>
                <div class="tl-body">
                  <div class="tl-head">
                    <span class="tl-channel">{channel}</span>
                    {c && <a {...link(`/inbox/all/${c.id}`)} class="conv-number">#{c.number}</a>}
                    {c && <StatusPill status={c.status} />}
                    <span class="muted">{t(("c360.dir." + (e.kind === "note" ? "note" : e.direction)) as MessageKey)}</span>
                    <time class="muted" dateTime={e.at} title={dateTime(e.at)}>{ago(e.at)}</time>
                  </div>
                  <p class="tl-text">{e.body.length > 280 ? e.body.slice(0, 280) + "…" : e.body || t("message.attachment")}</p>
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

function Consents({ view }: { view: View360 }) {
  const items = view.consents ?? [];
  return (
    <section class="c360-section">
      <h3>{t("c360.consent")}</h3>
      {items.length === 0 ? <p class="muted">{t("c360.noConsent")}</p> : (
        <ul class="consents">
          {items.map((c) => (
            <li class={c.granted ? "granted" : "refused"}>
              <PlatformIcon platform={c.platform} size={14} />
              <span>{platformInfo(c.platform).name}</span>
              <span class="muted">{purposeLabel(c.purpose)}</span>
              <span class="spacer" />
              <span class={"pill " + (c.granted ? "status-open" : "status-closed")}>{t(c.granted ? "c360.granted" : "c360.refused")}</span>
              <time class="muted" dateTime={c.updated_at} title={c.source ?? ""}>{ago(c.updated_at)}</time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CSAT({ view }: { view: View360 }) {
  const items = view.csat?.items ?? [];
  return (
    <section class="c360-section">
      <h3>{t("c360.csat")}</h3>
      {!view.csat?.available || items.length === 0 ? <p class="muted csat-note">{t(view.csat?.note_code === "no_surveys" ? "c360.csatNote.no_surveys" : "c360.noCsat")}</p> : (
        <ul class="csat">
          {items.map((i) => (
            <li>
              <strong>{String(i.score ?? i.rating ?? "—")}</strong>
              {i.comment ? <span>{String(i.comment)}</span> : null}
              {typeof i.at === "string" && <time class="muted" dateTime={i.at}>{ago(i.at)}</time>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** CompanyData shows what the company's own systems say; a failed lookup is reported, never fatal. */
function CompanyData({ view }: { view: View360 }) {
  const ext = view.external;
  return (
    <section class="c360-section company-data">
      <h3><Icon name="building" size={16} />{t("c360.company")}</h3>
      {!ext || ext.status === "disabled" ? <p class="muted">{t("c360.lookupOff")}</p>
        : ext.status === "hidden" ? <p class="muted">{t("c360.lookupHidden")}</p>
        : ext.status === "error" ? (
          <p class="lookup-error" role="status"><Icon name="alert" size={14} />{t("c360.lookupFailed", { error: ext.error ?? "" })}</p>
        ) : (
          <>
            <dl class="attrs">
              {flatten(ext.data).map(([k, v]) => <><dt>{k}</dt><dd>{v}</dd></>)}
            </dl>
            {ext.fetched_at && <p class="muted small">{t(ext.cached ? "c360.cachedAt" : "c360.fetchedAt", { time: ago(ext.fetched_at) })}</p>}
          </>
        )}
    </section>
  );
}

/** flatten turns the lookup's JSON into label/value rows, one level of nesting deep. */
function flatten(data: unknown, prefix = ""): [string, string][] {
  if (data === null || typeof data !== "object") return data === undefined ? [] : [[prefix || "value", String(data)]];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    const key = prefix ? prefix + "." + k : k;
    if (v && typeof v === "object" && !Array.isArray(v) && !prefix) out.push(...flatten(v, key));
    else out.push([key, Array.isArray(v) || (v && typeof v === "object") ? JSON.stringify(v) : String(v ?? "")]);
  }
  return out;
}

let dismissAvailable = true; // false once the node says it has no dismiss endpoint

/** Suggestions offers contacts that may be the same person, with the evidence; the agent merges or dismisses. */
function Suggestions({ contactId, onMerged }: { contactId: number; onMerged: () => void }) {
  const [items, setItems] = useState<Suggestion[] | null>(null);
  const [merged, setMerged] = useState<MergeResult | null>(null);
  const [busy, setBusy] = useState(0);
  useEffect(() => {
    setMerged(null);
    api.suggestions(contactId).then((p) => setItems(p.items ?? []), () => setItems([]));
  }, [contactId]);
  const merge = async (s: Suggestion) => {
    if (!confirm(t("c360.confirmMerge", { name: s.contact.name || t("contact.unknown") }))) return;
    setBusy(s.contact.id);
    try {
      setMerged(await api.mergeContacts(contactId, s.contact.id));
      setItems((xs) => (xs ?? []).filter((x) => x.contact.id !== s.contact.id));
      onMerged();
    } catch (e) {
      toast(errorText(e), "error");
    } finally {
      setBusy(0);
    }
  };
  const dismiss = async (s: Suggestion) => {
    setBusy(s.contact.id);
    try {
      await api.dismissSuggestion(contactId, s.contact.id);
      setItems((xs) => (xs ?? []).filter((x) => x.contact.id !== s.contact.id));
      toast(t("c360.dismissed"), "success");
    } catch (e) {
      if (isMissingEndpoint(e)) {
        dismissAvailable = false;
        setItems((xs) => (xs ? [...xs] : xs));
      }
      toast(errorText(e), "error");
    } finally {
      setBusy(0);
    }
  };
  const undo = async () => {
    if (!merged) return;
    try {
      await api.undoMerge(merged.merge_id);
      setMerged(null);
      api.suggestions(contactId).then((p) => setItems(p.items ?? []), () => {});
      onMerged();
      toast(t("c360.unmerged"), "success");
    } catch (e) {
      toast(errorText(e), "error");
    }
  };
  if (!merged && !items?.length) return null;
  return (
    <section class="c360-section suggestions" aria-label={t("c360.suggestions")}>
      {merged && (
        <div class="merge-done" role="status">
          <Icon name="merge" size={16} />
          <span>{t("c360.merged", { identities: merged.identities_moved, tickets: merged.conversations_moved })}
            {(merged.conflicts ?? []).length > 0 && " " + t("c360.conflicts", { fields: (merged.conflicts ?? []).map((c) => c.field).join(", ") })}</span>
          <button type="button" class="btn small" onClick={undo}>{t("c360.undo")}</button>
        </div>
      )}
      {(items ?? []).length > 0 && <h3>{t("c360.suggestions")}</h3>}
      {(items ?? []).map((s) => (
        <article class="suggestion" data-contact={s.contact.id}>
          <a {...link(`/contacts/${s.contact.id}`)} class="suggestion-who">
            <Avatar name={s.contact.name || "?"} size={32} url={s.contact.avatar_url} />
            <span>{s.contact.name || t("contact.unknown")}</span>
          </a>
          <ul class="evidence">
            {(s.evidence ?? []).map((e) => (
              <li><strong>{evidenceLabel(e.kind)}</strong> <span>{e.value}</span>{evidenceDetail(e) && <span class="evidence-detail muted">{evidenceDetail(e)}</span>}</li>
            ))}
          </ul>
          <div class="suggestion-actions">
            <button type="button" class="btn small primary" disabled={busy === s.contact.id} onClick={() => merge(s)}>{t("c360.merge")}</button>
            {dismissAvailable && <button type="button" class="btn small ghost" disabled={busy === s.contact.id} onClick={() => dismiss(s)}>{t("c360.notSame")}</button>}
          </div>
        </article>
      ))}
    </section>
  );
}

const known = (key: string, fallback: string) => {
  const text = t(key as MessageKey);
  return text === key ? fallback : text;
};
const evidenceLabel = (kind: string) => known("c360.evidence." + kind, kind);
const purposeLabel = (purpose: string) => known("c360.purpose." + purpose, purpose);

/** evidenceDetail says where each contact has the shared value, from the server's codes; its English prose only if it sent none. */
function evidenceDetail(e: Evidence): string {
  if (e.kind === "name_company") return "";
  if (!e.source || !e.other_source) return e.detail;
  const where = (code: string) => known("c360.source." + code, code);
  return t("c360.evidenceWhere", { self: where(e.source), other: where(e.other_source) });
}
