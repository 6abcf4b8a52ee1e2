// The customer beside the ticket: identities across channels, attributes and
// earlier tickets, editable in place.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { ago, t, type MessageKey } from "../i18n";
import { platformInfo } from "../platforms";
import { link, navigate } from "../router";
import { toast } from "../store";
import type { Contact, Conversation } from "../types";
import { Avatar, Field, Spinner, StatusPill, errorText } from "../ui/common";
import { Icon, PlatformIcon } from "../ui/icons";
import { onEvent } from "../ws";

const identityPlatform: Record<string, string> = {
  messenger: "messenger", instagram: "instagram", facebook: "facebook_comments", whatsapp: "whatsapp",
  telegram: "telegram", widget: "widget", external: "api", email: "email", phone: "sms",
};

export function ContactPanel({ contactId, currentId, onClose, wide }: { contactId: number; currentId?: number; onClose?: () => void; wide?: boolean }) {
  const [contact, setContact] = useState<Contact | null>(null);
  const [tickets, setTickets] = useState<Conversation[] | null>(null);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState("");
  useEffect(() => {
    setContact(null);
    setTickets(null);
    api.contact(contactId).then(setContact, (e) => setError(errorText(e)));
    api.contactConversations(contactId).then((p) => setTickets(p.items ?? []), () => setTickets([]));
    return onEvent((e) => {
      if (e.type === "contact.updated" && e.contact?.id === contactId) setContact(e.contact);
    });
  }, [contactId]);
  if (error) return <aside class="contact-panel"><p class="pane-error">{error}</p></aside>;
  if (!contact) return <aside class="contact-panel"><Spinner /></aside>;
  return (
    <aside class={"contact-panel" + (wide ? " wide" : "")} aria-label={t("contact.panel")}>
      <div class="cp-head">
        <Avatar name={contact.name || "?"} size={48} url={contact.avatar_url} />
        <div class="cp-title">
          <h3>{contact.name || t("contact.unknown")}</h3>
          {contact.company && <span class="muted">{contact.company}</span>}
          {!wide && <a {...link(`/contacts/${contact.id}`)} class="cp-profile">{t("contact.profile")}</a>}
        </div>
        {contact.tier && <span class={"tier tier-" + contact.tier}>{contact.tier.toUpperCase()}</span>}
        {onClose && <button type="button" class="btn ghost icon-only cp-close" aria-label={t("common.close")} onClick={onClose}><Icon name="x" /></button>}
      </div>
      {editing ? (
        <ContactForm contact={contact} onDone={(c) => { if (c) setContact(c); setEditing(false); }} />
      ) : (
        <>
          {(contact.email || contact.phone || contact.language) && <dl class="cp-facts">
            {contact.email && <><dt><Icon name="mail" size={14} /><span class="sr-only">{t("field.email")}</span></dt><dd>{contact.email}</dd></>}
            {contact.phone && <><dt><Icon name="phone" size={14} /><span class="sr-only">{t("field.phone")}</span></dt><dd>{contact.phone}</dd></>}
            {contact.language && <><dt><Icon name="globe" size={14} /><span class="sr-only">{t("field.language")}</span></dt><dd>{contact.language}</dd></>}
          </dl>}
          <button type="button" class="btn ghost small" onClick={() => setEditing(true)}><Icon name="pencil" size={14} />{t("common.edit")}</button>
        </>
      )}
      <section class="cp-section">
        <h4>{t("contact.identities")}</h4>
        <ul class="identities">
          {(contact.identities ?? []).map((i) => (
            <li>
              <PlatformIcon platform={identityPlatform[i.kind] ?? "api"} size={16} />
              <span class="id-kind">{t(("identity." + i.kind) as MessageKey)}</span>
              <span class="id-value" title={i.value}>{i.value}</span>
              {i.verified && <span class="verified" title={t("contact.verified")}><Icon name="check" size={12} /></span>}
            </li>
          ))}
          {!(contact.identities ?? []).length && <li class="muted">{t("contact.noIdentities")}</li>}
        </ul>
      </section>
      <Attributes contact={contact} onChange={setContact} />
      <section class="cp-section">
        <h4>{t("contact.tickets")}</h4>
        {tickets === null ? <Spinner /> : tickets.length === 0 ? <p class="muted">{t("contact.noTickets")}</p> : (
          <ul class="ticket-list">
            {tickets.map((c) => (
              <li>
                <a href={`/inbox/all/${c.id}`} class={"ticket" + (c.id === currentId ? " current" : "")} aria-current={c.id === currentId ? "true" : undefined}
                  onClick={(e) => { e.preventDefault(); navigate(`/inbox/all/${c.id}`); }}>
                  <PlatformIcon platform={c.platform} size={14} />
                  <span class="conv-number">#{c.number}</span>
                  <span class="ticket-text">{c.subject || c.last_preview || platformInfo(c.platform).name}</span>
                  <StatusPill status={c.status} />
                  <time class="muted" dateTime={c.last_message_at}>{ago(c.last_message_at)}</time>
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
    </aside>
  );
}

function ContactForm({ contact, onDone }: { contact: Contact; onDone: (c?: Contact) => void }) {
  const [v, setV] = useState({ name: contact.name ?? "", email: contact.email ?? "", phone: contact.phone ?? "", company: contact.company ?? "", tier: contact.tier ?? "" });
  const [busy, setBusy] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      onDone(await api.updateContact(contact.id, v));
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      setBusy(false);
    }
  };
  const input = (k: keyof typeof v, label: MessageKey, type: "text" | "email" | "tel" = "text") => (
    <Field label={t(label)}><input {...({ type } as { type: "text" })} value={v[k]} onInput={(e) => setV({ ...v, [k]: e.currentTarget.value })} /></Field>
  );
  return (
    <form class="form compact" onSubmit={save}>
      {input("name", "field.name")}
      {input("email", "field.email", "email")}
      {input("phone", "field.phone", "tel")}
      {input("company", "field.company")}
      <Field label={t("field.tier")}>
        <select class="select" value={v.tier} onChange={(e) => setV({ ...v, tier: e.currentTarget.value })}>
          <option value="">{t("tier.standard")}</option>
          <option value="vip">VIP</option>
        </select>
      </Field>
      <div class="modal-actions">
        <button type="button" class="btn ghost" onClick={() => onDone()}>{t("common.cancel")}</button>
        <button type="submit" class="btn primary" disabled={busy}>{t("common.save")}</button>
      </div>
    </form>
  );
}

/** Attributes lists the contact's custom fields; each can be removed, new ones added. */
function Attributes({ contact, onChange }: { contact: Contact; onChange: (c: Contact) => void }) {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const save = async (attributes: Record<string, string | null>) => {
    try {
      onChange(await api.updateContact(contact.id, { attributes }));
      return true;
    } catch (err) {
      toast(errorText(err), "error");
      return false;
    }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    if (key.trim() && (await save({ [key.trim()]: value.trim() }))) {
      setKey("");
      setValue("");
    }
  };
  const entries = Object.entries(contact.attributes ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section class="cp-section">
      <h4>{t("contact.attributes")}</h4>
      {entries.length > 0 && (
        <dl class="attrs">
          {entries.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd class="attr-value">
                <span>{v}</span>
                <button type="button" class="tag-x" aria-label={t("contact.removeAttribute", { name: k })} onClick={() => save({ [k]: null })}>
                  <Icon name="x" size={12} />
                </button>
              </dd>
            </>
          ))}
        </dl>
      )}
      <form class="attr-add" onSubmit={add}>
        <input value={key} placeholder={t("contact.attributeName")} aria-label={t("contact.attributeName")} onInput={(e) => setKey(e.currentTarget.value)} />
        <input value={value} placeholder={t("contact.attributeValue")} aria-label={t("contact.attributeValue")} onInput={(e) => setValue(e.currentTarget.value)} />
        <button type="submit" class="btn small" disabled={!key.trim()} aria-label={t("contact.addAttribute")} title={t("contact.addAttribute")}><Icon name="plus" size={14} /></button>
      </form>
    </section>
  );
}
