// An agent writes first: a new e-mail conversation to a contact or an
// address, on one of the e-mail channels. The server queues the mail like a
// reply and assigns the ticket to the agent, whom we take to it.
import { useState } from "preact/hooks";
import { request } from "../api";
import { t } from "../i18n";
import { navigate } from "../router";
import { channelsStore, useStore } from "../store";
import type { Conversation } from "../types";
import { Field, Modal, attempt } from "../ui/common";
import { Icon } from "../ui/icons";

interface StartRequest {
  channel_id: number;
  contact_id?: number;
  address?: string;
  name?: string;
  subject: string;
  body: string;
}

const startConversation = (r: StartRequest) => request<Conversation>("POST", "/conversations", r);

export function NewEmailButton({ contactId, small }: { contactId?: number; small?: boolean }) {
  const channels = useStore(channelsStore).filter((c) => c.platform === "email" && c.status === "active");
  const [open, setOpen] = useState(false);
  if (!channels.length) return null;
  return (
    <>
      <button type="button" class={"btn new-email" + (small ? " small" : "")} onClick={() => setOpen(true)}>
        <Icon name="plus" size={14} />{t("newEmail.button")}
      </button>
      {open && <NewEmailDialog contactId={contactId} onClose={() => setOpen(false)} />}
    </>
  );
}

function NewEmailDialog({ contactId, onClose }: { contactId?: number; onClose: () => void }) {
  const channels = useStore(channelsStore).filter((c) => c.platform === "email" && c.status === "active");
  const [channelId, setChannelId] = useState(channels[0]?.id ?? 0);
  const [address, setAddress] = useState("");
  const [name, setName] = useState("");
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const conv = await attempt(() => startConversation({
      channel_id: channelId, contact_id: contactId, address: address.trim() || undefined,
      name: contactId ? undefined : name.trim() || undefined, subject: subject.trim(), body,
    }), t("newEmail.queued"));
    setBusy(false);
    if (conv) {
      onClose();
      navigate(`/inbox/all/${conv.id}`);
    }
  };
  return (
    <Modal title={t("newEmail.title")} onClose={onClose} wide>
      <form class="form new-email-form" onSubmit={submit}>
        <Field label={t("newEmail.channel")}>
          <select name="channel_id" value={channelId} onChange={(e) => setChannelId(Number(e.currentTarget.value))}>
            {channels.map((c) => <option value={c.id}>{c.name}{c.config?.from_address ? ` <${c.config.from_address}>` : ""}</option>)}
          </select>
        </Field>
        <Field label={t("newEmail.to")} hint={contactId ? t("newEmail.toContactHint") : undefined}>
          <input type="email" name="address" required={!contactId} value={address} onInput={(e) => setAddress(e.currentTarget.value)} />
        </Field>
        {!contactId && (
          <Field label={t("newEmail.name")}>
            <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
        )}
        <Field label={t("newEmail.subject")}>
          <input name="subject" required maxLength={900} value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
        </Field>
        <Field label={t("newEmail.body")}>
          <textarea name="body" required rows={8} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
        </Field>
        <div class="modal-actions">
          <button type="button" class="btn ghost" onClick={onClose}>{t("common.cancel")}</button>
          <button type="submit" class="btn primary" disabled={busy || !channelId}>{t("newEmail.send")}</button>
        </div>
      </form>
    </Modal>
  );
}
