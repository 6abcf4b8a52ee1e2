// The agent's API tokens: for scripts and integrations that call the API as
// this agent. The plain value is shown once, right after creating it.
import { useEffect, useState } from "preact/hooks";
import { api, itemsOf } from "../api";
import { ago, t } from "../i18n";
import type { APIToken } from "../types";
import { Field, attempt } from "./common";
import { Icon } from "./icons";

export function Tokens() {
  const [tokens, setTokens] = useState<APIToken[] | null>(null);
  const [name, setName] = useState("");
  const [fresh, setFresh] = useState<APIToken | null>(null);
  useEffect(() => {
    api.tokens().then((p) => setTokens(itemsOf(p)), () => setTokens([]));
  }, []);
  const create = async (e: Event) => {
    e.preventDefault();
    const tok = await attempt(() => api.createToken(name.trim()));
    if (tok) {
      setFresh(tok);
      setTokens((ts) => [...(ts ?? []), { ...tok, token: undefined }]);
      setName("");
    }
  };
  const revoke = async (tok: APIToken) => {
    if (!confirm(t("tokens.confirmRevoke", { name: tok.name }))) return;
    if (await attempt(() => api.deleteToken(tok.id).then(() => true))) setTokens((ts) => (ts ?? []).filter((x) => x.id !== tok.id));
  };
  return (
    <section class="tokens">
      <h4 class="form-sub">{t("tokens.title")}</h4>
      <p class="muted small-text">{t("tokens.explain")}</p>
      {fresh?.token && (
        <div class="token-fresh" role="status">
          <p>{t("tokens.copyNow")}</p>
          <code>{fresh.token}</code>
          <button type="button" class="btn small" onClick={() => navigator.clipboard?.writeText(fresh.token!)}>{t("tokens.copy")}</button>
        </div>
      )}
      <ul class="token-list">
        {(tokens ?? []).map((tok) => (
          <li>
            <span class="token-name">{tok.name}</span>
            <code>{tok.prefix}…</code>
            <span class="muted">{tok.last_used_at ? t("tokens.used", { time: ago(tok.last_used_at) }) : t("tokens.unused")}</span>
            <button type="button" class="btn small danger" onClick={() => revoke(tok)}>{t("tokens.revoke")}</button>
          </li>
        ))}
      </ul>
      <form class="inline-form compact" onSubmit={create}>
        <Field label={t("tokens.name")}><input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
        <button type="submit" class="btn"><Icon name="plus" />{t("tokens.create")}</button>
      </form>
    </section>
  );
}
