// Canned replies: the team's shared answers, typed in the composer after
// "/". Each has a full text (e-mail, web chat) and optional shorter
// variants for chat platforms.
import { useEffect, useState } from "preact/hooks";
import { api, isMissingEndpoint, type CannedInput } from "../../api";
import { cannedStore, loadCanned } from "../../canned";
import { t } from "../../i18n";
import { platformInfo, platformList } from "../../platforms";
import { useStore } from "../../store";
import type { CannedReply, Platform } from "../../types";
import { Empty, Field, Modal, attempt } from "../../ui/common";
import { Icon, PlatformIcon } from "../../ui/icons";

const variantPlatforms: Platform[] = platformList.filter((p) => p !== "voice");

export function Canned() {
  const list = useStore(cannedStore);
  const [editing, setEditing] = useState<CannedReply | "new" | null>(null);
  const [offline, setOffline] = useState(false);
  useEffect(() => {
    api.cannedReplies().then((p) => cannedStore.set(p.items ?? []), (e) => {
      if (isMissingEndpoint(e)) setOffline(true);
    });
  }, []);
  const remove = async (c: CannedReply) => {
    if (!confirm(t("canned.confirmDelete", { shortcut: c.shortcut }))) return;
    const ok = await attempt(() => api.deleteCanned(c.id).then(() => true), t("canned.deleted"));
    if (ok) cannedStore.set((xs) => (xs ?? []).filter((x) => x.id !== c.id));
  };
  if (offline) return <section class="admin-section"><Empty icon="note" title={t("canned.unavailable")} /></section>;
  const items = [...(list ?? [])].filter((c) => c.id > 0).sort((a, b) => a.shortcut.localeCompare(b.shortcut));
  return (
    <section class="admin-section">
      <div class="section-head">
        <p class="muted">{t("canned.explain")}</p>
        <button type="button" class="btn primary" onClick={() => setEditing("new")}><Icon name="plus" />{t("canned.new")}</button>
      </div>
      {items.length === 0 ? <Empty icon="note" title={t("canned.none")} /> : (
        <table class="table canned-table">
          <thead><tr><th>{t("canned.shortcut")}</th><th>{t("canned.title")}</th><th>{t("canned.body")}</th><th>{t("canned.variants")}</th><th><span class="sr-only">{t("common.actions")}</span></th></tr></thead>
          <tbody>
            {items.map((c) => (
              <tr data-canned={c.shortcut}>
                <td><code>/{c.shortcut}</code></td>
                <td>{c.title}</td>
                <td class="canned-body-cell">{c.body}</td>
                <td>{Object.keys(c.variants ?? {}).map((p) => <PlatformIcon platform={p} size={14} />)}</td>
                <td class="right nowrap">
                  <button type="button" class="btn small" onClick={() => setEditing(c)}>{t("common.edit")}</button>
                  <button type="button" class="btn small danger" onClick={() => remove(c)}>{t("common.delete")}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && <CannedForm reply={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

function CannedForm({ reply, onClose }: { reply: CannedReply | null; onClose: () => void }) {
  const [v, setV] = useState<CannedInput>({ shortcut: reply?.shortcut ?? "", title: reply?.title ?? "", body: reply?.body ?? "", variants: { ...(reply?.variants ?? {}) } });
  const [busy, setBusy] = useState(false);
  const unused = variantPlatforms.filter((p) => !(p in v.variants));
  const [adding, setAdding] = useState<Platform>(unused[0] ?? "whatsapp");
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const variants = Object.fromEntries(Object.entries(v.variants).filter(([, x]) => x.trim()));
    const body = { ...v, shortcut: v.shortcut.trim().replace(/^\//, ""), title: v.title.trim(), variants };
    const saved = await attempt(() => (reply ? api.updateCanned(reply.id, body) : api.createCanned(body)), t("canned.saved"));
    setBusy(false);
    if (saved) {
      await loadCanned(true);
      onClose();
    }
  };
  return (
    <Modal title={reply ? t("canned.edit", { shortcut: reply.shortcut }) : t("canned.new")} onClose={onClose} wide>
      <form class="form" onSubmit={save}>
        <Field label={t("canned.shortcut")} hint={t("canned.shortcutHint")}>
          <input name="shortcut" required value={v.shortcut} onInput={(e) => setV({ ...v, shortcut: e.currentTarget.value })} />
        </Field>
        <Field label={t("canned.title")}><input name="title" required value={v.title} onInput={(e) => setV({ ...v, title: e.currentTarget.value })} /></Field>
        <Field label={t("canned.body")} hint={t("canned.placeholders")}>
          <textarea name="body" required rows={4} value={v.body} onInput={(e) => setV({ ...v, body: e.currentTarget.value })} />
        </Field>
        <h4 class="form-sub">{t("canned.variants")}</h4>
        <p class="muted small">{t("canned.variantsHint")}</p>
        {Object.entries(v.variants).map(([p, text]) => (
          <div class="variant-row" data-platform={p}>
            <Field label={platformInfo(p).name}>
              <textarea name={"variant-" + p} rows={2} value={text} onInput={(e) => setV({ ...v, variants: { ...v.variants, [p]: e.currentTarget.value } })} />
            </Field>
            <button type="button" class="btn ghost icon-only" aria-label={t("canned.removeVariant", { channel: platformInfo(p).name })}
              onClick={() => setV({ ...v, variants: Object.fromEntries(Object.entries(v.variants).filter(([k]) => k !== p)) })}>
              <Icon name="x" />
            </button>
          </div>
        ))}
        {unused.length > 0 && (
          <div class="variant-add">
            <select class="select" aria-label={t("canned.variantPlatform")} value={adding} onChange={(e) => setAdding(e.currentTarget.value as Platform)}>
              {unused.map((p) => <option value={p}>{platformInfo(p).name}</option>)}
            </select>
            <button type="button" class="btn small" onClick={() => setV({ ...v, variants: { ...v.variants, [unused.includes(adding) ? adding : unused[0]]: "" } })}>
              <Icon name="plus" size={14} />{t("canned.addVariant")}
            </button>
          </div>
        )}
        <div class="modal-actions">
          <button type="button" class="btn ghost" onClick={onClose}>{t("common.cancel")}</button>
          <button type="submit" class="btn primary" disabled={busy}>{t("common.save")}</button>
        </div>
      </form>
    </Modal>
  );
}
