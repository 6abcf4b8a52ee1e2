// The ticket's header: who and where, its state, and the actions on it
// (assign, priority, snooze, resolve/reopen, pending, close, merge, tags).
import { useState } from "preact/hooks";
import { dateTime, t, type MessageKey } from "../i18n";
import { platformInfo } from "../platforms";
import { navigate } from "../router";
import { agentName, agentsStore, channelById, meStore, tagsStore, teamName, teamsStore, useStore, viewersStore } from "../store";
import type { Conversation, Priority, View } from "../types";
import { Avatar, Popover, StatusPill } from "../ui/common";
import { Icon, PlatformIcon } from "../ui/icons";
import type { Change } from "./Conversation";
import { MergeDialog } from "./MergeDialog";

export function Header({ conv, view, update, panel, togglePanel, onMerged }: {
  conv: Conversation; view: View; update: (c: Change) => void; panel: boolean; togglePanel: () => void; onMerged: () => void;
}) {
  const channel = channelById(conv.channel_id);
  const name = conv.contact?.name || t("contact.unknown");
  const [merging, setMerging] = useState(false);
  const resolved = conv.status === "resolved" || conv.status === "closed";
  return (
    <header class="conv-head">
      <div class="conv-head-row">
        <button type="button" class="btn ghost icon-only back" aria-label={t("common.back")} onClick={() => navigate("/inbox/" + view)}>
          <Icon name="chevronLeft" />
        </button>
        <div class="conv-title">
          <h2>
            <span>{name}</span>
            <span class="conv-number">#{conv.number}</span>
          </h2>
          <div class="conv-sub">
            <PlatformIcon platform={conv.platform} size={14} />
            <span>{channel?.name ?? platformInfo(conv.platform).name}</span>
            <StatusPill status={conv.status} />
            {conv.status === "snoozed" && conv.snoozed_until && <span class="muted">{t("snooze.until", { time: dateTime(conv.snoozed_until) })}</span>}
            <Viewers id={conv.id} />
          </div>
        </div>
        <div class="conv-actions">
          <AssignMenu conv={conv} update={update} />
          <PriorityMenu conv={conv} update={update} />
          <SnoozeMenu update={update} />
          {resolved ? (
            <button type="button" class="btn" onClick={() => update({ status: "open" })}><Icon name="reopen" />{t("action.reopen")}</button>
          ) : (
            <button type="button" class="btn primary" onClick={() => update({ status: "resolved" })} title={t("action.resolve") + " (e)"}><Icon name="check" />{t("action.resolve")}</button>
          )}
          <Popover label={t("action.more")} align="right" button={<Icon name="more" />}>
            {(close) => (
              <div class="menu">
                {conv.status !== "pending" && <button type="button" class="menu-item" onClick={() => { close(); update({ status: "pending" }); }}><Icon name="clock" />{t("action.pending")}</button>}
                {conv.status !== "closed" && <button type="button" class="menu-item" onClick={() => { close(); update({ status: "closed" }); }}><Icon name="x" />{t("action.close")}</button>}
                <button type="button" class="menu-item" onClick={() => { close(); setMerging(true); }}><Icon name="merge" />{t("action.merge")}</button>
              </div>
            )}
          </Popover>
          <button type="button" class={"btn ghost icon-only" + (panel ? " on" : "")} aria-pressed={panel} aria-label={t("contact.panel")} title={t("contact.panel")} onClick={togglePanel}>
            <Icon name="panel" />
          </button>
        </div>
      </div>
      <TagRow conv={conv} update={update} />
      {merging && <MergeDialog conv={conv} onClose={() => setMerging(false)} onMerged={onMerged} />}
    </header>
  );
}

function Viewers({ id }: { id: number }) {
  const all = useStore(viewersStore);
  const me = useStore(meStore);
  const others = [...(all.get(id)?.values() ?? [])].filter((v) => v.agent_id !== me?.id);
  if (!others.length) return null;
  const typingNow = others.filter((v) => v.activity === "typing");
  const text = typingNow.length
    ? t("viewers.typing", { names: typingNow.map((v) => v.agent_name).join(", ") })
    : t("viewers.viewing", { names: others.map((v) => v.agent_name).join(", ") });
  return (
    <span class={"viewers" + (typingNow.length ? " typing" : "")} aria-live="polite">
      <Icon name="eye" size={12} />
      {text}
    </span>
  );
}

function AssignMenu({ conv, update }: { conv: Conversation; update: (c: Change) => void }) {
  const agents = useStore(agentsStore);
  const teams = useStore(teamsStore);
  const me = useStore(meStore)!;
  const [q, setQ] = useState("");
  const assignee = agentName(conv.assignee_id);
  const team = teamName(conv.team_id);
  const match = (s: string) => s.toLowerCase().includes(q.toLowerCase());
  return (
    <Popover label={t("action.assign")} class="assign-popover" button={
      <>
        {assignee ? <Avatar name={assignee} size={20} /> : <Icon name="userPlus" />}
        <span class="assign-label">{assignee ?? t("assign.nobody")}{team ? " · " + team : ""}</span>
        <Icon name="chevronDown" size={12} />
      </>
    }>
      {(close) => (
        <div class="menu assign-menu">
          <input class="menu-search" placeholder={t("assign.search")} aria-label={t("assign.search")} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          {conv.assignee_id !== me.id && <button type="button" class="menu-item" onClick={() => { close(); update({ assignee_id: me.id }); }}><Avatar name={me.name} size={20} />{t("assign.me")}</button>}
          {conv.assignee_id != null && <button type="button" class="menu-item" onClick={() => { close(); update({ clear_assignee: true }); }}><Icon name="unassigned" />{t("assign.unassign")}</button>}
          <div class="menu-heading">{t("assign.agents")}</div>
          {agents.filter((a) => a.active && a.id !== me.id && match(a.name)).map((a) => (
            <button type="button" class={"menu-item" + (a.id === conv.assignee_id ? " current" : "")} onClick={() => { close(); update({ assignee_id: a.id }); }}>
              <Avatar name={a.name} size={20} presence={a.presence} />
              {a.name}
              <span class="menu-meta">{t(("presence." + a.presence) as MessageKey)}</span>
            </button>
          ))}
          <div class="menu-heading">{t("assign.teams")}</div>
          {teams.filter((x) => match(x.name)).map((x) => (
            <button type="button" class={"menu-item" + (x.id === conv.team_id ? " current" : "")} onClick={() => { close(); update({ team_id: x.id }); }}>
              <Icon name="users" />{x.name}
            </button>
          ))}
          {conv.team_id != null && <button type="button" class="menu-item" onClick={() => { close(); update({ clear_team: true }); }}><Icon name="x" />{t("assign.clearTeam")}</button>}
        </div>
      )}
    </Popover>
  );
}

function PriorityMenu({ conv, update }: { conv: Conversation; update: (c: Change) => void }) {
  return (
    <Popover label={t("filter.priority")} button={<span class={"priority p" + conv.priority}><Icon name="flag" size={14} /><span class="sr-only">{t(("priority." + conv.priority) as MessageKey)}</span></span>}>
      {(close) => (
        <div class="menu" role="menu">
          {([3, 2, 1, 0] as Priority[]).map((p) => (
            <button type="button" role="menuitemradio" aria-checked={conv.priority === p} class={"menu-item" + (conv.priority === p ? " current" : "")}
              onClick={() => { close(); update({ priority: p }); }}>
              <span class={"priority p" + p}><Icon name="flag" size={14} /></span>
              {t(("priority." + p) as MessageKey)}
            </button>
          ))}
        </div>
      )}
    </Popover>
  );
}

function SnoozeMenu({ update }: { update: (c: Change) => void }) {
  const [custom, setCustom] = useState("");
  const at = (d: Date) => update({ status: "snoozed", snoozed_until: d.toISOString() });
  const tomorrow = new Date();
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const monday = new Date();
  monday.setDate(monday.getDate() + ((8 - monday.getDay()) % 7 || 7));
  monday.setHours(9, 0, 0, 0);
  return (
    <Popover label={t("action.snooze")} button={<Icon name="snooze" />}>
      {(close) => (
        <div class="menu">
          <div class="menu-heading">{t("action.snooze")}</div>
          <button type="button" class="menu-item" onClick={() => { close(); at(new Date(Date.now() + 3600000)); }}>{t("snooze.hour")}</button>
          <button type="button" class="menu-item" onClick={() => { close(); at(new Date(Date.now() + 4 * 3600000)); }}>{t("snooze.fourHours")}</button>
          <button type="button" class="menu-item" onClick={() => { close(); at(tomorrow); }}>{t("snooze.tomorrow")}<span class="menu-meta">{dateTime(tomorrow.toISOString())}</span></button>
          <button type="button" class="menu-item" onClick={() => { close(); at(monday); }}>{t("snooze.monday")}<span class="menu-meta">{dateTime(monday.toISOString())}</span></button>
          <form class="pad" onSubmit={(e) => { e.preventDefault(); if (custom) { close(); at(new Date(custom)); } }}>
            <label class="field"><span class="field-label">{t("snooze.custom")}</span>
              <input type="datetime-local" value={custom} onInput={(e) => setCustom(e.currentTarget.value)} required />
            </label>
            <button type="submit" class="btn primary">{t("action.snooze")}</button>
          </form>
        </div>
      )}
    </Popover>
  );
}

function TagRow({ conv, update }: { conv: Conversation; update: (c: Change) => void }) {
  const known = useStore(tagsStore);
  const [value, setValue] = useState("");
  const tags = conv.tags ?? [];
  const add = (e: Event) => {
    e.preventDefault();
    const v = value.trim();
    if (v && !tags.includes(v)) update({ add_tags: [v] });
    setValue("");
  };
  return (
    <div class="tag-row">
      <Icon name="tag" size={14} />
      {tags.map((x) => (
        <span class={"tag" + (x.startsWith("channel:") ? " auto" : "")}>
          {x}
          {!x.startsWith("channel:") && (
            <button type="button" class="tag-x" aria-label={t("tags.remove", { name: x })} onClick={() => update({ remove_tags: [x] })}><Icon name="x" size={10} /></button>
          )}
        </span>
      ))}
      <form onSubmit={add} class="tag-add">
        <input list="tag-suggestions" value={value} placeholder={t("tags.add")} aria-label={t("tags.add")} onInput={(e) => setValue(e.currentTarget.value)} />
        <datalist id="tag-suggestions">{known.filter((x) => !tags.includes(x.name)).map((x) => <option value={x.name} />)}</datalist>
      </form>
    </div>
  );
}
