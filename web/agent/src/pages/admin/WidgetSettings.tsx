// A website widget channel's look and behaviour, and the <script> snippet
// the admin pastes into their site. The identity secret is write-only: the
// server never returns it, so the field only replaces it.
import { useState } from "preact/hooks";
import { api } from "../../api";
import { t, type MessageKey } from "../../i18n";
import { channelsStore, toast } from "../../store";
import type { Channel } from "../../types";
import { Field, Modal, attempt } from "../../ui/common";

const textKeys = ["title", "greeting", "greeting_zh-CN", "prechat_fields", "business_hours", "timezone", "allowed_origins"] as const;
const defaults: Record<string, string> = { color: "#2563eb", position: "right", locale: "auto" };

export function widgetSnippet(c: Channel): string {
  return `<script src="${location.origin}/widget/v1/widget.js" data-channel="${c.id}" async></script>`;
}

export function WidgetSettingsButton({ channel }: { channel: Channel }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" class="btn small" onClick={() => setOpen(true)}>{t("widgetSettings.open")}</button>
      {open && <WidgetSettings channel={channel} onClose={() => setOpen(false)} />}
    </>
  );
}

function WidgetSettings({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const [config, setConfig] = useState<Record<string, string>>({ ...defaults, ...(channel.config ?? {}) });
  const [secret, setSecret] = useState("");
  const [busy, setBusy] = useState(false);
  const set = (k: string) => (e: Event) => setConfig({ ...config, [k]: (e.currentTarget as HTMLInputElement).value });
  const snippet = widgetSnippet(channel);
  const copy = () => navigator.clipboard.writeText(snippet).then(() => toast(t("widgetSettings.copied"), "success"), () => toast(t("widgetSettings.copyFailed"), "error"));
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    // An emptied field is deleted, so the widget falls back to its default.
    const changed = Object.fromEntries(
      Object.entries(config).filter(([k, v]) => v.trim() !== (channel.config?.[k] ?? "")).map(([k, v]) => [k, v.trim() || null]),
    );
    const body: Record<string, unknown> = { config: changed };
    if (secret.trim()) body.secrets = { identity_secret: secret.trim() };
    const c = await attempt(() => api.updateChannel(channel.id, body), t("widgetSettings.saved"));
    setBusy(false);
    if (c) {
      channelsStore.set((cs) => cs.map((x) => (x.id === c.id ? c : x)));
      onClose();
    }
  };
  return (
    <Modal title={t("widgetSettings.heading", { name: channel.name })} onClose={onClose} wide>
      <form class="form widget-settings" onSubmit={save}>
        <Field label={t("widgetSettings.snippet")} hint={t("widgetSettings.snippetHint")}>
          <textarea class="widget-snippet" readOnly rows={2} value={snippet} />
        </Field>
        <button type="button" class="btn small" onClick={copy}>{t("widgetSettings.copy")}</button>
        <div class="widget-color">
          <Field label={t("widgetSettings.color")}>
            <input name="color" value={config.color} pattern="#[0-9a-fA-F]{6}" onInput={set("color")} />
          </Field>
          <input type="color" aria-label={t("widgetSettings.color")} value={/^#[0-9a-fA-F]{6}$/.test(config.color) ? config.color : defaults.color} onInput={set("color")} />
        </div>
        <Field label={t("widgetSettings.position")}>
          <select name="position" value={config.position} onChange={set("position")}>
            <option value="right">{t("widgetSettings.right")}</option>
            <option value="left">{t("widgetSettings.left")}</option>
          </select>
        </Field>
        <Field label={t("widgetSettings.locale")}>
          <select name="locale" value={config.locale} onChange={set("locale")}>
            <option value="auto">{t("widgetSettings.localeAuto")}</option>
            <option value="en">English</option>
            <option value="zh-CN">简体中文</option>
          </select>
        </Field>
        {textKeys.map((k) => (
          <Field label={t(("widgetSettings." + k) as MessageKey)} hint={t(("widgetSettings.hint." + k) as MessageKey)}>
            <input name={k} value={config[k] ?? ""} onInput={set(k)} />
          </Field>
        ))}
        <Field label={t("widgetSettings.identitySecret")} hint={t("widgetSettings.identitySecretHint")}>
          <input type="password" name="identity_secret" autoComplete="off" minLength={16} value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        </Field>
        <div class="modal-actions">
          <button type="button" class="btn ghost" onClick={onClose}>{t("common.cancel")}</button>
          <button type="submit" class="btn primary" disabled={busy}>{t("common.save")}</button>
        </div>
      </form>
    </Modal>
  );
}
