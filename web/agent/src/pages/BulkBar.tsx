// Bulk actions on the selected tickets: assign, tag, resolve.
import { useState } from "preact/hooks";
import { api } from "../api";
import { t } from "../i18n";
import { applyConversation, rememberConversation } from "../inbox";
import { agentsStore, meStore, refreshCounts, tagsStore, teamsStore, toast, useStore } from "../store";
import { Avatar, Popover, errorText } from "../ui/common";
import { Icon } from "../ui/icons";

export function BulkBar({ ids, onDone }: { ids: number[]; onDone: () => void }) {
  const agents = useStore(agentsStore);
  const teams = useStore(teamsStore);
  const me = useStore(meStore)!;
  const knownTags = useStore(tagsStore);
  const [tag, setTag] = useState("");
  const run = async (body: { assignee_id?: number; team_id?: number; add_tags?: string[]; status?: string }) => {
    try {
      const r = await api.bulk({ ids, ...body });
      (r.updated ?? []).forEach((c) => applyConversation(rememberConversation(c)));
      const failed = r.failed?.length ?? 0;
      toast(failed ? t("bulk.partial", { ok: r.updated?.length ?? 0, failed }) : t("bulk.done", { count: r.updated?.length ?? 0 }), failed ? "error" : "success");
      refreshCounts(0);
      onDone();
    } catch (e) {
      toast(errorText(e), "error");
    }
  };
  return (
    <div class="bulk-bar" role="toolbar" aria-label={t("bulk.label")}>
      <span class="bulk-count">{t("bulk.selected", { count: ids.length })}</span>
      <Popover label={t("action.assign")} button={<><Icon name="userPlus" />{t("action.assign")}</>}>
        {(close) => (
          <div class="menu">
            <button type="button" class="menu-item" onClick={() => { close(); run({ assignee_id: me.id }); }}>{t("assign.me")}</button>
            {agents.filter((a) => a.active && a.id !== me.id).map((a) => (
              <button type="button" class="menu-item" onClick={() => { close(); run({ assignee_id: a.id }); }}><Avatar name={a.name} size={20} presence={a.presence} />{a.name}</button>
            ))}
            {teams.length > 0 && <div class="menu-heading">{t("assign.teams")}</div>}
            {teams.map((x) => (
              <button type="button" class="menu-item" onClick={() => { close(); run({ team_id: x.id }); }}><Icon name="users" />{x.name}</button>
            ))}
          </div>
        )}
      </Popover>
      <Popover label={t("action.tag")} button={<><Icon name="tag" />{t("action.tag")}</>}>
        {(close) => (
          <form class="menu pad" onSubmit={(e) => { e.preventDefault(); if (tag.trim()) { close(); run({ add_tags: [tag.trim()] }); setTag(""); } }}>
            <label class="field"><span class="field-label">{t("tags.add")}</span>
              <input list="bulk-tags" value={tag} onInput={(e) => setTag(e.currentTarget.value)} />
            </label>
            <datalist id="bulk-tags">{knownTags.map((x) => <option value={x.name} />)}</datalist>
            <button type="submit" class="btn primary">{t("common.apply")}</button>
          </form>
        )}
      </Popover>
      <button type="button" class="btn" onClick={() => run({ status: "resolved" })}><Icon name="check" />{t("action.resolve")}</button>
      <button type="button" class="btn ghost icon-only" onClick={onDone} aria-label={t("bulk.clear")}><Icon name="x" /></button>
    </div>
  );
}
