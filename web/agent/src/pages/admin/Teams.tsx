// Teams: groups of agents that tickets can be routed to.
import { useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { agentsStore, teamsStore, useStore } from "../../store";
import type { Team } from "../../types";
import { Avatar, Empty, Field, Modal, attempt } from "../../ui/common";
import { Icon } from "../../ui/icons";

export function Teams() {
  const teams = useStore(teamsStore);
  const agents = useStore(agentsStore);
  const [editing, setEditing] = useState<Team | "new" | null>(null);
  const remove = async (x: Team) => {
    if (!confirm(t("teams.confirmDelete", { name: x.name }))) return;
    const ok = await attempt(() => api.deleteTeam(x.id).then(() => true));
    if (ok) teamsStore.set((ts) => ts.filter((y) => y.id !== x.id));
  };
  return (
    <section class="admin-section">
      <div class="section-head">
        <p class="muted">{t("teams.explain")}</p>
        <button type="button" class="btn primary" onClick={() => setEditing("new")}><Icon name="plus" />{t("teams.new")}</button>
      </div>
      {teams.length === 0 ? <Empty icon="users" title={t("teams.none")} /> : (
        <div class="card-grid">
          {teams.map((x) => (
            <article class="card">
              <header><Icon name="users" size={20} /><h3>{x.name}</h3><span class="muted">{t("teams.members", { count: x.agent_ids?.length ?? 0 })}</span></header>
              <div class="avatars">{(x.agent_ids ?? []).map((id) => agents.find((a) => a.id === id)).filter(Boolean).map((a) => <span title={a!.name}><Avatar name={a!.name} size={26} presence={a!.presence} /></span>)}</div>
              <footer>
                <span class="spacer" />
                <button type="button" class="btn small" onClick={() => setEditing(x)}>{t("common.edit")}</button>
                <button type="button" class="btn small danger" onClick={() => remove(x)}>{t("common.delete")}</button>
              </footer>
            </article>
          ))}
        </div>
      )}
      {editing && <TeamForm team={editing === "new" ? undefined : editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

function TeamForm({ team, onClose }: { team?: Team; onClose: () => void }) {
  const agents = useStore(agentsStore);
  const [name, setName] = useState(team?.name ?? "");
  const [members, setMembers] = useState<Set<number>>(new Set(team?.agent_ids ?? []));
  const save = async (e: Event) => {
    e.preventDefault();
    const body = { name: name.trim(), agent_ids: [...members] };
    const r = await attempt(() => (team ? api.updateTeam(team.id, body) : api.createTeam(body)));
    if (r) {
      teamsStore.set((ts) => (team ? ts.map((x) => (x.id === r.id ? r : x)) : [...ts, r]));
      onClose();
    }
  };
  return (
    <Modal title={team ? t("teams.edit") : t("teams.new")} onClose={onClose}>
      <form class="form" onSubmit={save}>
        <Field label={t("field.name")}><input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
        <fieldset class="checklist">
          <legend class="field-label">{t("teams.membersLabel")}</legend>
          {agents.filter((a) => a.active).map((a) => (
            <label class="check-row">
              <input type="checkbox" checked={members.has(a.id)} onChange={() => {
                const s = new Set(members);
                if (s.has(a.id)) s.delete(a.id);
                else s.add(a.id);
                setMembers(s);
              }} />
              <Avatar name={a.name} size={22} />{a.name}<span class="muted">{a.email}</span>
            </label>
          ))}
        </fieldset>
        <div class="modal-actions">
          <button type="button" class="btn ghost" onClick={onClose}>{t("common.cancel")}</button>
          <button type="submit" class="btn primary">{t("common.save")}</button>
        </div>
      </form>
    </Modal>
  );
}
