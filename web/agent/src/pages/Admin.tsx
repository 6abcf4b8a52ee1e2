// Administration: channels, agents, teams and tags.
import { useEffect, useState } from "preact/hooks";
import { api, itemsOf } from "../api";
import { ago, t, type MessageKey } from "../i18n";
import { channelFields, platformInfo, platformList } from "../platforms";
import { link } from "../router";
import { agentsStore, channelsStore, meStore, tagsStore, teamsStore, toast, useStore } from "../store";
import type { Agent, Channel, Platform, Role, Team } from "../types";
import { Avatar, Empty, Field, Modal, errorText } from "../ui/common";
import { Icon, PlatformIcon } from "../ui/icons";

const tabs: { id: string; key: MessageKey; icon: string }[] = [
  { id: "channels", key: "admin.channels", icon: "plug" },
  { id: "agents", key: "admin.agents", icon: "user" },
  { id: "teams", key: "admin.teams", icon: "users" },
  { id: "tags", key: "admin.tags", icon: "tag" },
];

async function attempt<T>(f: () => Promise<T>, ok?: string): Promise<T | undefined> {
  try {
    const r = await f();
    if (ok) toast(ok, "success");
    return r;
  } catch (e) {
    toast(errorText(e), "error");
    return undefined;
  }
}

export function AdminPage({ tab }: { tab: string }) {
  return (
    <div class="page admin">
      <header class="page-head">
        <h1>{t("nav.admin")}</h1>
        <nav class="tabs" aria-label={t("nav.admin")}>
          {tabs.map((x) => (
            <a {...link("/admin/" + x.id)} class={"tab" + (tab === x.id ? " on" : "")} aria-current={tab === x.id ? "page" : undefined}>
              <Icon name={x.icon} />{t(x.key)}
            </a>
          ))}
        </nav>
      </header>
      {tab === "channels" && <Channels />}
      {tab === "agents" && <Agents />}
      {tab === "teams" && <Teams />}
      {tab === "tags" && <Tags />}
    </div>
  );
}

function Channels() {
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
              {c.status_reason && <p class="chan-reason"><Icon name="alert" size={14} />{c.status_reason}</p>}
              <dl class="attrs">
                <dt>{t("channels.webhook")}</dt>
                <dd><code>{location.origin}/hooks/{c.platform}/{c.id}</code></dd>
                {Object.entries(c.config ?? {}).map(([k, v]) => <><dt>{k}</dt><dd>{v}</dd></>)}
              </dl>
              <footer>
                <span class="muted">{t("channels.updated", { time: ago(c.updated_at) })}</span>
                <span class="spacer" />
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
        {fields.config.map((k) => (
          <Field label={k}><input value={config[k] ?? ""} onInput={(e) => setConfig({ ...config, [k]: e.currentTarget.value })} /></Field>
        ))}
        {fields.secrets.length > 0 && <h4 class="form-sub">{t("channels.secrets")}</h4>}
        {fields.secrets.map((k) => (
          <Field label={k} hint={t("channels.secretHint")}>
            <input type="password" autoComplete="off" value={secrets[k] ?? ""} onInput={(e) => setSecrets({ ...secrets, [k]: e.currentTarget.value })} />
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
        {channel.status_reason && <p class="chan-reason"><Icon name="alert" size={14} />{channel.status_reason}</p>}
        {keys.map((k) => (
          <Field label={k} hint={t("channels.keepSecret")}>
            <input type="password" autoComplete="off" value={secrets[k] ?? ""} onInput={(e) => setSecrets({ ...secrets, [k]: e.currentTarget.value })} />
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

function Agents() {
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

function Teams() {
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

const tagColors = ["#4f46e5", "#0f9aa8", "#2b8a3e", "#e67700", "#c2255c", "#6b6f80"];

function Tags() {
  const tags = useStore(tagsStore);
  const [name, setName] = useState("");
  const [color, setColor] = useState(tagColors[0]);
  useEffect(() => {
    api.tags().then((r) => tagsStore.set(itemsOf(r)), () => {});
  }, []);
  const add = async (e: Event) => {
    e.preventDefault();
    const tag = await attempt(() => api.createTag({ name: name.trim(), color }));
    if (tag) {
      tagsStore.set((ts) => [...ts.filter((x) => x.name !== tag.name), tag].sort((a, b) => a.name.localeCompare(b.name)));
      setName("");
    }
  };
  const remove = async (n: string) => {
    if (!confirm(t("tags.confirmDelete", { name: n }))) return;
    const ok = await attempt(() => api.deleteTag(n).then(() => true));
    if (ok) tagsStore.set((ts) => ts.filter((x) => x.name !== n));
  };
  return (
    <section class="admin-section">
      <form class="inline-form" onSubmit={add}>
        <Field label={t("tags.name")}><input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
        <fieldset class="swatches">
          <legend class="field-label">{t("tags.color")}</legend>
          {tagColors.map((c) => (
            <label class={"swatch" + (c === color ? " on" : "")} style={{ background: c }}>
              <input type="radio" name="tag-color" class="sr-only" checked={c === color} onChange={() => setColor(c)} aria-label={c} />
            </label>
          ))}
        </fieldset>
        <button type="submit" class="btn primary"><Icon name="plus" />{t("tags.create")}</button>
      </form>
      {tags.length === 0 ? <Empty icon="tag" title={t("tags.none")} /> : (
        <table class="table">
          <thead><tr><th>{t("tags.name")}</th><th>{t("tags.count")}</th><th><span class="sr-only">{t("common.actions")}</span></th></tr></thead>
          <tbody>
            {tags.map((x) => (
              <tr>
                <td><span class="tag" style={x.color ? { borderColor: x.color, color: x.color } : undefined}>{x.name}</span></td>
                <td>{x.count}</td>
                <td class="right">{!x.name.startsWith("channel:") && <button type="button" class="btn small danger" onClick={() => remove(x.name)}>{t("common.delete")}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
