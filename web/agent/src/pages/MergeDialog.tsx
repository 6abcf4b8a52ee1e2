// Merging another ticket of the same customer into this one.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { t } from "../i18n";
import { applyConversation } from "../inbox";
import { toast } from "../store";
import type { Conversation } from "../types";
import { Modal, Spinner, StatusPill, errorText } from "../ui/common";
import { Icon, PlatformIcon } from "../ui/icons";

export function MergeDialog({ conv, onClose, onMerged }: { conv: Conversation; onClose: () => void; onMerged: () => void }) {
  const [others, setOthers] = useState<Conversation[] | null>(null);
  const [sourceId, setSourceId] = useState<number | null>(null);
  const [manual, setManual] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.contactConversations(conv.contact_id).then((p) => setOthers((p.items ?? []).filter((c) => c.id !== conv.id)), () => setOthers([]));
  }, []);
  const source = sourceId ?? (Number(manual) || null);
  const merge = async () => {
    if (!source) return;
    setBusy(true);
    try {
      applyConversation(await api.merge(conv.id, source));
      toast(t("merge.done"), "success");
      onMerged();
      onClose();
    } catch (e) {
      toast(errorText(e), "error");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={t("merge.title", { number: conv.number })} onClose={onClose}>
      <p class="muted">{t("merge.explain")}</p>
      {others === null ? <Spinner /> : others.length === 0 ? <p class="muted">{t("merge.none")}</p> : (
        <ul class="pick-list" role="radiogroup" aria-label={t("merge.pick")}>
          {others.map((c) => (
            <li>
              <label class={"pick" + (sourceId === c.id ? " on" : "")}>
                <input type="radio" name="merge-source" checked={sourceId === c.id} onChange={() => setSourceId(c.id)} />
                <PlatformIcon platform={c.platform} size={16} />
                <span class="conv-number">#{c.number}</span>
                <span class="pick-text">{c.subject || c.last_preview || ""}</span>
                <StatusPill status={c.status} />
              </label>
            </li>
          ))}
        </ul>
      )}
      <label class="field"><span class="field-label">{t("merge.byId")}</span>
        <input inputMode="numeric" value={manual} onInput={(e) => { setManual(e.currentTarget.value); setSourceId(null); }} />
      </label>
      <div class="modal-actions">
        <button type="button" class="btn ghost" onClick={onClose}>{t("common.cancel")}</button>
        <button type="button" class="btn primary" disabled={!source || busy} onClick={merge}><Icon name="merge" />{t("merge.submit")}</button>
      </div>
    </Modal>
  );
}
