// Choosing and filling a WhatsApp template: approved templates only, one
// field per {{n}}, the message previewed live as the customer will see it.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../api";
import { t } from "../i18n";
import { toast } from "../store";
import { channelTemplates, paramCount, render } from "../templates";
import type { Conversation, Message, WhatsAppTemplate } from "../types";
import { Field, Modal, Spinner, errorText } from "../ui/common";

export function TemplatePicker({ conv, onClose, onSent }: { conv: Conversation; onClose: () => void; onSent: (m: Message) => void }) {
  const [all, setAll] = useState<WhatsAppTemplate[] | null>(null);
  const [error, setError] = useState("");
  const [q, setQ] = useState("");
  const [chosen, setChosen] = useState<WhatsAppTemplate | null>(null);
  useEffect(() => {
    channelTemplates(conv.channel_id, true).then((ts) => setAll(ts ?? []), (e) => setError(errorText(e)));
  }, [conv.channel_id]);
  const approved = useMemo(() => (all ?? []).filter((x) => x.status === "APPROVED"), [all]);
  const shown = approved.filter((x) => !q || x.name.toLowerCase().includes(q.toLowerCase()) || x.body.toLowerCase().includes(q.toLowerCase()));
  return (
    <Modal title={chosen ? t("template.fill", { name: chosen.name }) : t("template.choose")} onClose={onClose} wide>
      {chosen ? <TemplateForm conv={conv} tpl={chosen} onBack={() => setChosen(null)} onSent={(m) => { onSent(m); onClose(); }} />
        : error ? <p class="pane-error" role="alert">{error}</p>
        : all === null ? <Spinner />
        : (
          <div class="template-list">
            <input type="search" value={q} placeholder={t("template.search")} aria-label={t("template.search")} onInput={(e) => setQ(e.currentTarget.value)} />
            {shown.length === 0 && <p class="muted">{t("template.none")}</p>}
            <ul>
              {shown.map((x) => (
                <li>
                  <button type="button" class="template-option" data-template={x.name} onClick={() => setChosen(x)}>
                    <span class="template-name">{x.name}</span>
                    <span class="muted">{x.language} · {t(("template.category." + x.category) as "template.category.UTILITY")}</span>
                    <span class="template-body">{x.body}</span>
                  </button>
                </li>
              ))}
            </ul>
            {all.length > approved.length && <p class="muted small">{t("template.notApproved", { count: all.length - approved.length })}</p>}
          </div>
        )}
    </Modal>
  );
}

function TemplateForm({ conv, tpl, onBack, onSent }: { conv: Conversation; tpl: WhatsAppTemplate; onBack: () => void; onSent: (m: Message) => void }) {
  const n = paramCount(tpl);
  const [values, setValues] = useState<string[]>(() => Array.from({ length: n }, (_, i) => (i === 0 ? conv.contact?.name?.split(" ")[0] ?? "" : "")));
  const [busy, setBusy] = useState(false);
  const preview = render(tpl, values);
  const complete = values.every((v) => v.trim());
  const send = async (e: Event) => {
    e.preventDefault();
    if (!complete) return;
    setBusy(true);
    try {
      onSent(await api.send(conv.id, {
        kind: "template", body: preview,
        metadata: { template_name: tpl.name, template_language: tpl.language, template_params: JSON.stringify(values.map((v) => v.trim())) },
      }));
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form template-form" onSubmit={send}>
      {values.map((v, i) => (
        <Field label={t("template.param", { n: i + 1 })}>
          <input name={"param" + (i + 1)} value={v} required onInput={(e) => setValues(values.map((x, j) => (j === i ? e.currentTarget.value : x)))} />
        </Field>
      ))}
      <div class="template-preview" aria-live="polite" aria-label={t("template.preview")}>
        <span class="field-label">{t("template.preview")}</span>
        <div class="bubble">{preview}</div>
      </div>
      <div class="modal-actions">
        <button type="button" class="btn ghost" onClick={onBack}>{t("common.back")}</button>
        <button type="submit" class="btn primary" disabled={busy || !complete}>{t("template.send")}</button>
      </div>
    </form>
  );
}
