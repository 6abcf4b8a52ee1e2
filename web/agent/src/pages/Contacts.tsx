// Contacts: search by name, e-mail or phone; open one to see everything about them.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { ago, t } from "../i18n";
import { navigate } from "../router";
import { toast } from "../store";
import type { Contact } from "../types";
import { Avatar, Empty, Field, Modal, Spinner, errorText } from "../ui/common";
import { Icon, PlatformIcon } from "../ui/icons";
import { Contact360Page } from "./Contact360";

export function ContactsPage({ contactId }: { contactId: number }) {
  const [q, setQ] = useState("");
  const [vipOnly, setVipOnly] = useState(false);
  const [items, setItems] = useState<Contact[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  const [creating, setCreating] = useState(false);
  const gen = useRef(0);
  const sentinel = useRef<HTMLDivElement>(null);

  const load = async (more: boolean) => {
    const g = more ? gen.current : ++gen.current;
    setLoading(true);
    try {
      const page = await api.contacts({ q: q.trim() || undefined, tier: vipOnly ? "vip" : undefined, cursor: more ? cursor : undefined, limit: 50 });
      if (g !== gen.current) return;
      setItems((prev) => (more ? [...prev, ...(page.items ?? [])] : page.items ?? []));
      setCursor(page.next_cursor || undefined);
    } catch (e) {
      toast(errorText(e), "error");
    } finally {
      if (g === gen.current) setLoading(false);
    }
  };
  useEffect(() => {
    const id = setTimeout(() => load(false), 200);
    return () => clearTimeout(id);
  }, [q, vipOnly]);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !cursor) return;
    const io = new IntersectionObserver((es) => es[0].isIntersecting && !loading && load(true), { rootMargin: "300px" });
    io.observe(el);
    return () => io.disconnect();
  }, [cursor, loading]);

  return (
    <div class={"inbox contacts" + (contactId ? " has-open" : "")}>
      <section class="list-pane" aria-label={t("nav.contacts")}>
        <header class="list-head">
          <div class="list-title">
            <h1>{t("nav.contacts")}</h1>
            <div class="spacer" />
            <button type="button" class="btn" onClick={() => setCreating(true)}><Icon name="plus" />{t("contacts.new")}</button>
          </div>
          <div class="search-row">
            <div class="search-box">
              <Icon name="search" />
              <input type="search" value={q} placeholder={t("contacts.search")} aria-label={t("contacts.search")} onInput={(e) => setQ(e.currentTarget.value)} />
            </div>
            <button type="button" class={"btn" + (vipOnly ? " on-toggle" : "")} aria-pressed={vipOnly} onClick={() => setVipOnly(!vipOnly)}>{t("contacts.vipOnly")}</button>
          </div>
        </header>
        <div class="list-scroll">
          <ul class="contact-list">
            {items.map((c) => (
              <li>
                <a href={`/contacts/${c.id}`} class={"contact-row" + (c.id === contactId ? " open" : "")} aria-current={c.id === contactId ? "true" : undefined}
                  onClick={(e) => { e.preventDefault(); navigate(`/contacts/${c.id}`); }}>
                  <Avatar name={c.name || "?"} size={32} url={c.avatar_url} />
                  <span class="contact-text">
                    <span class="contact-name">{c.name || t("contact.unknown")}{c.tier && <span class={"tier tier-" + c.tier}>{c.tier.toUpperCase()}</span>}</span>
                    <span class="muted">{c.email || c.phone || c.company || ""}</span>
                  </span>
                  <span class="contact-ids">
                    {[...new Set((c.identities ?? []).map((i) => i.kind))].slice(0, 4).map((k) => <PlatformIcon platform={k === "facebook" ? "facebook_comments" : k === "external" ? "api" : k === "phone" ? "sms" : k} size={14} />)}
                  </span>
                  <time class="muted" dateTime={c.updated_at}>{ago(c.updated_at)}</time>
                </a>
              </li>
            ))}
          </ul>
          {!loading && items.length === 0 && <Empty icon="contact" title={t("contacts.none")} />}
          <div ref={sentinel} class="sentinel">{loading && <Spinner />}</div>
        </div>
      </section>
      <section class="open-pane">
        {contactId ? (
          <div class="contact-detail">
            <button type="button" class="btn ghost back" onClick={() => navigate("/contacts")}><Icon name="chevronLeft" />{t("common.back")}</button>
            <Contact360Page contactId={contactId} />
          </div>
        ) : <Empty icon="contact" title={t("contacts.pick")} />}
      </section>
      {creating && <NewContact onClose={() => setCreating(false)} />}
    </div>
  );
}

function NewContact({ onClose }: { onClose: () => void }) {
  const [v, setV] = useState({ name: "", email: "", phone: "", company: "" });
  const [busy, setBusy] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const c = await api.createContact(v);
      onClose();
      navigate(`/contacts/${c.id}`);
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={t("contacts.new")} onClose={onClose}>
      <form class="form" onSubmit={save}>
        <Field label={t("field.name")}><input required value={v.name} onInput={(e) => setV({ ...v, name: e.currentTarget.value })} /></Field>
        <Field label={t("field.email")}><input type="email" value={v.email} onInput={(e) => setV({ ...v, email: e.currentTarget.value })} /></Field>
        <Field label={t("field.phone")}><input type="tel" value={v.phone} onInput={(e) => setV({ ...v, phone: e.currentTarget.value })} /></Field>
        <Field label={t("field.company")}><input value={v.company} onInput={(e) => setV({ ...v, company: e.currentTarget.value })} /></Field>
        <div class="modal-actions">
          <button type="button" class="btn ghost" onClick={onClose}>{t("common.cancel")}</button>
          <button type="submit" class="btn primary" disabled={busy}>{t("common.create")}</button>
        </div>
      </form>
    </Modal>
  );
}
