// The inbox header: view title and count, sort, status tabs, filters and
// the chips that show (and clear) the active filters.
import { t, type MessageKey } from "../i18n";
import { defaultFilters, filtersStore, type Filters } from "../inbox";
import { platformInfo } from "../platforms";
import { agentName, agentsStore, channelsStore, countsStore, tagsStore, teamsStore, useStore } from "../store";
import type { Sort, Status, View } from "../types";
import { Popover } from "../ui/common";
import { Icon } from "../ui/icons";
import { NewEmailButton } from "./NewEmail";

const statusChoices: { key: MessageKey; statuses: Status[] }[] = [
  { key: "filter.active", statuses: ["open", "pending"] },
  { key: "status.open", statuses: ["open"] },
  { key: "status.pending", statuses: ["pending"] },
  { key: "status.snoozed", statuses: ["snoozed"] },
  { key: "status.resolved", statuses: ["resolved"] },
  { key: "status.closed", statuses: ["closed"] },
  { key: "filter.anyStatus", statuses: [] },
];

export function ListHeader({ view, filters }: { view: View; filters: Filters }) {
  const counts = useStore(countsStore);
  const channels = useStore(channelsStore);
  const agents = useStore(agentsStore);
  const teams = useStore(teamsStore);
  const tags = useStore(tagsStore);
  const set = (patch: Partial<Filters>) => filtersStore.set({ ...filters, ...patch });
  const statusIndex = statusChoices.findIndex((c) => c.statuses.join() === filters.statuses.join());
  const chips: { label: string; clear: Partial<Filters> }[] = [];
  if (filters.channel_id !== undefined) chips.push({ label: channels.find((c) => c.id === filters.channel_id)?.name ?? "#" + filters.channel_id, clear: { channel_id: undefined } });
  if (filters.priority !== undefined) chips.push({ label: t(("priority." + filters.priority) as MessageKey), clear: { priority: undefined } });
  if (filters.tag) chips.push({ label: "#" + filters.tag, clear: { tag: undefined } });
  if (filters.assignee_id !== undefined) chips.push({ label: agentName(filters.assignee_id) ?? "", clear: { assignee_id: undefined } });
  if (filters.team_id !== undefined) chips.push({ label: teams.find((x) => x.id === filters.team_id)?.name ?? "", clear: { team_id: undefined } });
  const num = (v: string) => (v === "" ? undefined : Number(v));
  return (
    <header class="list-head">
      <div class="list-title">
        <h1>{t(("view." + view) as MessageKey)}</h1>
        {counts && <span class="count-badge">{counts[view]}</span>}
        <div class="spacer" />
        <NewEmailButton small />
        <label class="sr-only" for="sort">{t("sort.label")}</label>
        <select id="sort" class="select compact" value={filters.sort} onChange={(e) => set({ sort: e.currentTarget.value as Sort })}>
          <option value="newest">{t("sort.newest")}</option>
          <option value="oldest_waiting">{t("sort.oldest_waiting")}</option>
          <option value="priority">{t("sort.priority")}</option>
        </select>
        <Popover label={t("filter.label")} align="right" button={<><Icon name="more" /><span class="sr-only">{t("filter.label")}</span></>}>
          {() => (
            <div class="filters">
              <label class="field"><span class="field-label">{t("filter.channel")}</span>
                <select class="select" value={filters.channel_id ?? ""} onChange={(e) => set({ channel_id: num(e.currentTarget.value) })}>
                  <option value="">{t("filter.any")}</option>
                  {channels.map((c) => <option value={c.id}>{c.name} · {platformInfo(c.platform).name}</option>)}
                </select>
              </label>
              <label class="field"><span class="field-label">{t("filter.priority")}</span>
                <select class="select" value={filters.priority ?? ""} onChange={(e) => set({ priority: num(e.currentTarget.value) })}>
                  <option value="">{t("filter.any")}</option>
                  {[3, 2, 1, 0].map((p) => <option value={p}>{t(("priority." + p) as MessageKey)}</option>)}
                </select>
              </label>
              <label class="field"><span class="field-label">{t("filter.tag")}</span>
                <select class="select" value={filters.tag ?? ""} onChange={(e) => set({ tag: e.currentTarget.value || undefined })}>
                  <option value="">{t("filter.any")}</option>
                  {tags.map((x) => <option value={x.name}>{x.name}</option>)}
                </select>
              </label>
              <label class="field"><span class="field-label">{t("filter.assignee")}</span>
                <select class="select" value={filters.assignee_id ?? ""} onChange={(e) => set({ assignee_id: num(e.currentTarget.value) })}>
                  <option value="">{t("filter.any")}</option>
                  {agents.map((a) => <option value={a.id}>{a.name}</option>)}
                </select>
              </label>
              <label class="field"><span class="field-label">{t("filter.team")}</span>
                <select class="select" value={filters.team_id ?? ""} onChange={(e) => set({ team_id: num(e.currentTarget.value) })}>
                  <option value="">{t("filter.any")}</option>
                  {teams.map((x) => <option value={x.id}>{x.name}</option>)}
                </select>
              </label>
              <button type="button" class="btn ghost" onClick={() => filtersStore.set({ ...defaultFilters, sort: filters.sort })}>{t("filter.reset")}</button>
            </div>
          )}
        </Popover>
      </div>
      <div class="status-tabs" role="tablist" aria-label={t("filter.status")}>
        {statusChoices.slice(0, 5).map((c, i) => (
          <button type="button" role="tab" aria-selected={statusIndex === i} class={statusIndex === i ? "on" : ""} onClick={() => set({ statuses: c.statuses })}>
            {t(c.key)}
          </button>
        ))}
      </div>
      {chips.length > 0 && (
        <div class="chips">
          {chips.map((c) => (
            <button type="button" class="chip" onClick={() => set(c.clear)} aria-label={t("filter.remove", { name: c.label })}>
              {c.label}
              <Icon name="x" size={12} />
            </button>
          ))}
        </div>
      )}
    </header>
  );
}
