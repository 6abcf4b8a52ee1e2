// Activity lines ("assigned to Bo", "status: open → resolved") are stored
// with structured metadata; the UI words them in the agent's language. The
// stored English body is only the fallback for actions this UI does not know.
import { dateTime, t, type MessageKey } from "./i18n";
import { agentName, teamName } from "./store";
import type { Message } from "./types";

const priorityNumber: Record<string, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

const statusName = (s: string) => (s ? t(("status." + s) as MessageKey) : "—");
const priorityName = (p: string) => (p in priorityNumber ? t(("priority." + priorityNumber[p]) as MessageKey) : p);
const list = (s: string | undefined) => (s ?? "").split(",").filter(Boolean).join(", ");

/** activityText words an activity line from its metadata, falling back to the stored body. */
export function activityText(m: Message): string {
  const d = m.metadata ?? {};
  const byAgent = m.author_agent_id !== undefined && m.author_agent_id !== null;
  switch (d.action) {
    case "status":
      if (d.to === "snoozed") return d.until ? t("activity.snoozedUntil", { time: dateTime(d.until) }) : t("activity.snoozed");
      if (!byAgent && d.to === "open" && d.from === "snoozed") return t("activity.snoozeEnded");
      if (!byAgent && d.to === "open") return t("activity.reopenedByCustomer");
      return t("activity.status", { from: statusName(d.from), to: statusName(d.to) });
    case "priority":
      return t("activity.priority", { to: priorityName(d.to) });
    case "assignee":
      if (!d.to) return t("activity.unassigned");
      return t("activity.assigned", { name: agentName(Number(d.to)) ?? m.body.replace(/^Assigned to /, "") });
    case "team":
      if (!d.to) return t("activity.teamRemoved");
      return t("activity.team", { name: teamName(Number(d.to)) ?? m.body.replace(/^Moved to team /, "") });
    case "subject":
      return t("activity.subject", { to: d.to ?? "" });
    case "tags": {
      const parts = [];
      if (list(d.added)) parts.push(t("activity.tagged", { tags: list(d.added) }));
      if (list(d.removed)) parts.push(t("activity.untagged", { tags: list(d.removed) }));
      return parts.join("; ") || m.body;
    }
    case "merge":
      return d.source_number ? t("activity.merged", { number: d.source_number }) : m.body;
    case "merged_into":
      return d.target_number ? t("activity.mergedInto", { number: d.target_number }) : m.body;
  }
  return m.body;
}
