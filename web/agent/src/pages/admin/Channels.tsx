// Channels: connected accounts, their status, connecting and reconnecting.
import { useEffect, useState } from "preact/hooks";
import { api, itemsOf } from "../../api";
import { ago, t, type MessageKey } from "../../i18n";
import { channelFields, platformInfo, platformList } from "../../platforms";
import { channelsStore, toast, useStore } from "../../store";
import type { Channel, Platform } from "../../types";
import { Empty, Field, Modal, attempt, errorText } from "../../ui/common";
import { Icon, PlatformIcon } from "../../ui/icons";
import { isMissingEndpoint } from "../../api";
import { MetaConnect } from "./MetaConnect";
import { WidgetSettingsButton } from "./WidgetSettings";

export function Channels() {
  const channels = useStore(channelsStore);
  const [connecting, setConnecting] = useState(false);
  const [reconnecting, setReconnecting] = useState<Channel | null>(null);
  useEffect(() => {
    api.channels().then((r) => channelsStore.set(itemsOf(r)), () => {});
  }, []);
  const setStatus = async (c: Channel, status: Channel["status"]) => {
    const u = await attempt(() => api.updateChannel(c.id, { status }));
    if (u) channelsStore.set((cs) => cs.map((x) => (x.id === u.id ? u : x)));
  };
  const remove = async (c: Channel) => {
    if (!confirm(t("channels.confirmDelete", { name: c.name }))) return;
    const ok = await attempt(() => api.deleteChannel(c.id).then(() => true), t("channels.deleted"));
    if (ok) channelsStore.set((cs) => cs.filter((x) => x.id !== c.id));
  };
  return (
    <section class="admin-section">
      <div class="section-head">
        <p class="muted">{t("channels.explain")}</p>
        <button type="button" class="btn primary" onClick={() => setConnecting(true)}><Icon name="plus" />{t("channels.connect")}</button>
      </div>
      <MetaConnect />
      {channels.length === 0 ? <Empty icon="plug" title={t("channels.none")} hint={t("channels.noneHint")} /> : (
        <div class="card-grid">
          {channels.map((c) => (
            <article class="card channel-card">
              <header>
                <PlatformIcon platform={c.platform} size={28} />
                <div>
                  <h3>{c.name}</h3>
                  <span class="muted">{platformInfo(c.platform).name} · #{c.id}</span>
                </div>
                <span class={"chan-status " + c.status}>{t(("channel." + c.status) as MessageKey)}</span>
              </header>
              <ChannelReason c={c} />
              <dl class="attrs">
                <dt>{t("channels.webhook")}</dt>
                <dd><code>{location.origin}/hooks/{c.platform}/{c.id}</code></dd>
                {Object.entries(c.config ?? {}).map(([k, v]) => <><dt>{settingLabel(k)}</dt><dd>{v}</dd></>)}
              </dl>
              <footer>
                <span class="muted">{t("channels.updated", { time: ago(c.updated_at) })}</span>
                <span class="spacer" />
                {c.platform === "whatsapp" && <SyncTemplates channel={c} />}
                {c.platform === "widget" && <WidgetSettingsButton channel={c} />}
                {c.status === "disconnected" && <button type="button" class="btn small primary" onClick={() => setReconnecting(c)}>{t("channels.reconnect")}</button>}
                {c.status === "active"
                  ? <button type="button" class="btn small" onClick={() => setStatus(c, "disabled")}>{t("channels.disable")}</button>
                  : <button type="button" class="btn small" onClick={() => setStatus(c, "active")}>{t("channels.enable")}</button>}
                <button type="button" class="btn small danger" onClick={() => remove(c)}>{t("channels.disconnect")}</button>
              </footer>
            </article>
          ))}
        </div>
      )}
      {connecting && <ConnectChannel onClose={() => setConnecting(false)} />}
      {reconnecting && <ReconnectChannel channel={reconnecting} onClose={() => setReconnecting(null)} />}
    </section>
  );
}

function ConnectChannel({ onClose }: { onClose: () => void }) {
  const [platform, setPlatform] = useState<Platform>("messenger");
  const [name, setName] = useState("");
  const [config, setConfig] = useState<Record<string, string>>({});
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const fields = channelFields[platform];
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const pick = (o: Record<string, string>, keys: string[]) => Object.fromEntries(keys.filter((k) => o[k]?.trim()).map((k) => [k, o[k].trim()]));
    const c = await attempt(() => api.createChannel({ platform, name: name.trim(), config: pick(config, fields.config), secrets: pick(secrets, fields.secrets) }), t("channels.connected"));
    setBusy(false);
    if (c) {
      channelsStore.set((cs) => [...cs, c]);
      onClose();
    }
  };
  return (
    <Modal title={t("channels.connect")} onClose={onClose} wide>
      <form class="form" onSubmit={save}>
        <fieldset class="platform-pick">
          <legend class="field-label">{t("channels.platform")}</legend>
          {platformList.filter((p) => p !== "voice").map((p) => (
            <label class={"platform-option" + (p === platform ? " on" : "")}>
              <input type="radio" name="platform" value={p} checked={p === platform} onChange={() => setPlatform(p)} />
              <PlatformIcon platform={p} size={22} label={false} />
              <span>{platformInfo(p).name}</span>
            </label>
          ))}
        </fieldset>
        <Field label={t("field.name")}><input required value={name} placeholder={platformInfo(platform).name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
        {fields.config.length > 0 && <h4 class="form-sub">{t("channels.config")}</h4>}
        {fields.config.map((k) =>
          booleanSettings.includes(k) ? (
            <label class="check-row">
              <input type="checkbox" name={k} checked={config[k] === "true"} onChange={(e) => setConfig({ ...config, [k]: e.currentTarget.checked ? "true" : "" })} />
              {settingLabel(k)}
            </label>
          ) : (
            <Field label={settingLabel(k)}><input name={k} value={config[k] ?? ""} onInput={(e) => setConfig({ ...config, [k]: e.currentTarget.value })} /></Field>
          ),
        )}
        {fields.secrets.length > 0 && <h4 class="form-sub">{t("channels.secrets")}</h4>}
        {fields.secrets.map((k) => (
          <Field label={settingLabel(k)} hint={t("channels.secretHint")}>
            <input type="password" name={k} autoComplete="off" value={secrets[k] ?? ""} onInput={(e) => setSecrets({ ...secrets, [k]: e.currentTarget.value })} />
          </Field>
        ))}
        <div class="modal-actions">
          <button type="button" class="btn ghost" onClick={onClose}>{t("common.cancel")}</button>
          <button type="submit" class="btn primary" disabled={busy}>{t("channels.connect")}</button>
        </div>
      </form>
    </Modal>
  );
}

/** ReconnectChannel replaces a channel's credentials and makes it active again. */
function ReconnectChannel({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const keys = channelFields[channel.platform]?.secrets ?? [];
  const save = async (e: Event) => {
    e.preventDefault();
    const filled = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v.trim()));
    const c = await attempt(() => api.updateChannel(channel.id, { secrets: filled, status: "active", status_reason: "" }), t("channels.connected"));
    if (c) {
      channelsStore.set((cs) => cs.map((x) => (x.id === c.id ? c : x)));
      onClose();
    }
  };
  return (
    <Modal title={t("channels.reconnectTitle", { name: channel.name })} onClose={onClose}>
      <form class="form" onSubmit={save}>
        <ChannelReason c={channel} />
        {keys.map((k) => (
          <Field label={settingLabel(k)} hint={t("channels.keepSecret")}>
            <input type="password" name={k} autoComplete="off" value={secrets[k] ?? ""} onInput={(e) => setSecrets({ ...secrets, [k]: e.currentTarget.value })} />
          </Field>
        ))}
        <div class="modal-actions">
          <button type="button" class="btn ghost" onClick={onClose}>{t("common.cancel")}</button>
          <button type="submit" class="btn primary">{t("channels.reconnect")}</button>
        </div>
      </form>
    </Modal>
  );
}

/** Settings that are on or off ("true" or absent). */
const booleanSettings = ["trust_identities", "human_agent_enabled"];

const acronyms: Record<string, string> = { url: "URL", id: "ID", ig: "IG", imap: "IMAP", smtp: "SMTP", waba: "WABA", tls: "TLS", api: "API" };

/** settingLabel turns a platform's setting key into a label: "phone_number_id" → "Phone number ID". */
export function settingLabel(key: string): string {
  const words = key.split("_").map((w) => acronyms[w] ?? w);
  const first = words[0] ?? "";
  return [first === first.toUpperCase() ? first : first[0].toUpperCase() + first.slice(1), ...words.slice(1)].join(" ");
}

let syncAvailable = true; // false once the node says it has no template sync

/** SyncTemplates fetches a WhatsApp channel's templates from Meta again. */
function SyncTemplates({ channel }: { channel: Channel }) {
  const [busy, setBusy] = useState(false);
  const [, hide] = useState(0);
  if (!syncAvailable) return null;
  const sync = async () => {
    setBusy(true);
    try {
      const r = await api.syncTemplates(channel.id);
      const count = r ? itemsOf(r).length : (await api.templates(channel.id)).items?.length ?? 0;
      toast(t("channels.templatesSynced", { count }), "success");
    } catch (e) {
      if (isMissingEndpoint(e)) {
        syncAvailable = false;
        hide((n) => n + 1);
      }
      toast(errorText(e), "error");
    } finally {
      setBusy(false);
    }
  };
  return <button type="button" class="btn small" disabled={busy} onClick={sync}>{t("channels.syncTemplates")}</button>;
}

/**
 * ChannelReason says why a channel stopped, in the agent's language when
 * the server named the reason (status_code); the platform's own words,
 * which no catalog can translate, follow as the detail.
 */
function ChannelReason({ c }: { c: Channel }) {
  if (!c.status_reason) return null;
  const known = c.status_code && (["auth_failed", "webhook_subscription_failed"] as string[]).includes(c.status_code);
  const detail = c.status_code === "webhook_subscription_failed" ? c.status_reason.replace(/^webhook subscription failed: /, "") : c.status_reason;
  return (
    <p class="chan-reason" data-code={c.status_code ?? ""}>
      <Icon name="alert" size={14} />
      {known ? <span>{t(("channels.reason." + c.status_code) as MessageKey)} <span class="chan-reason-detail" lang="en">{detail}</span></span> : <span>{c.status_reason}</span>}
    </p>
  );
}
