// Agents: roles, presence, invitations and deactivation.
import { useState } from "preact/hooks";
import { api } from "../../api";
import { t, type MessageKey } from "../../i18n";
import { agentsStore, meStore, useStore } from "../../store";
import type { Agent, Role } from "../../types";
import { Avatar, Field, Modal, attempt } from "../../ui/common";
import { Icon } from "../../ui/icons";

export function Agents() {
  const agents = useStore(agentsStore);
  const me = useStore(meStore)!;
  const [inviting, setInviting] = useState(false);
  const patch = async (a: Agent, u: Record<string, unknown>) => {
    const r = await attempt(() => api.updateAgent(a.id, u));
    if (r) agentsStore.set((as) => as.map((x) => (x.id === r.id ? r : x)));
  };
  return (
    <section class="admin-section">
      <div class="section-head">
        <p class="muted">{t("agents.explain")}</p>
        <button type="button" class="btn primary" onClick={() => setInviting(true)}><Icon name="userPlus" />{t("agents.invite")}</button>
      </div>
      <table class="table">
        <thead><tr><th>{t("field.name")}</th><th>{t("field.role")}</th><th>{t("agents.presence")}</th><th>{t("agents.account")}</th><th><span class="sr-only">{t("common.actions")}</span></th></tr></thead>
        <tbody>
          {agents.map((a) => (
            <tr class={a.active ? "" : "inactive"}>
              <td><span class="who"><Avatar name={a.name} size={28} presence={a.presence} /><span><strong>{a.name}</strong><span class="muted block">{a.email}</span></span></span></td>
              <td>
                <select class="select compact" aria-label={t("field.role")} value={a.role} disabled={a.id === me.id} onChange={(e) => patch(a, { role: e.currentTarget.value })}>
                  {(["agent", "supervisor", "admin"] as Role[]).map((r) => <option value={r}>{t(("role." + r) as MessageKey)}</option>)}
                </select>
              </td>
              <td>{t(("presence." + a.presence) as MessageKey)}</td>
              <td>{a.active ? t("agents.active") : t("agents.inactive")}</td>
              <td class="right">
                {a.id !== me.id && (a.active
                  ? <button type="button" class="btn small" onClick={() => patch(a, { active: false })}>{t("agents.deactivate")}</button>
                  : <button type="button" class="btn small" onClick={() => patch(a, { active: true })}>{t("agents.reactivate")}</button>)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {inviting && <InviteAgent onClose={() => setInviting(false)} />}
    </section>
  );
}

function InviteAgent({ onClose }: { onClose: () => void }) {
  const [v, setV] = useState({ name: "", email: "", role: "agent", password: "" });
  const save = async (e: Event) => {
    e.preventDefault();
    const a = await attempt(() => api.createAgent(v), t("agents.invited", { name: v.name }));
    if (a) {
      agentsStore.set((as) => [...as, a]);
      onClose();
    }
  };
  return (
    <Modal title={t("agents.invite")} onClose={onClose}>
      <form class="form" onSubmit={save}>
        <Field label={t("field.name")}><input required value={v.name} onInput={(e) => setV({ ...v, name: e.currentTarget.value })} /></Field>
        <Field label={t("field.email")}><input required type="email" value={v.email} onInput={(e) => setV({ ...v, email: e.currentTarget.value })} /></Field>
        <Field label={t("field.role")}>
          <select class="select" value={v.role} onChange={(e) => setV({ ...v, role: e.currentTarget.value })}>
            {(["agent", "supervisor", "admin"] as Role[]).map((r) => <option value={r}>{t(("role." + r) as MessageKey)}</option>)}
          </select>
        </Field>
        <Field label={t("agents.initialPassword")} hint={t("agents.passwordHint")}>
          <input type="password" autoComplete="new-password" required minLength={8} value={v.password} onInput={(e) => setV({ ...v, password: e.currentTarget.value })} />
        </Field>
        <div class="modal-actions">
          <button type="button" class="btn ghost" onClick={onClose}>{t("common.cancel")}</button>
          <button type="submit" class="btn primary">{t("agents.invite")}</button>
        </div>
      </form>
    </Modal>
  );
}
