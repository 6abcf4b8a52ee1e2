// Administration: channels, agents, teams, tags and canned replies, one tab each.
import { t, type MessageKey } from "../i18n";
import { link } from "../router";
import { Icon } from "../ui/icons";
import { Agents } from "./admin/Agents";
import { Canned } from "./admin/Canned";
import { Channels } from "./admin/Channels";
import { Tags } from "./admin/Tags";
import { Teams } from "./admin/Teams";

const tabs: { id: string; key: MessageKey; icon: string }[] = [
  { id: "channels", key: "admin.channels", icon: "plug" },
  { id: "agents", key: "admin.agents", icon: "user" },
  { id: "teams", key: "admin.teams", icon: "users" },
  { id: "tags", key: "admin.tags", icon: "tag" },
  { id: "canned", key: "admin.canned", icon: "note" },
];

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
      {tab === "canned" && <Canned />}
    </div>
  );
}
