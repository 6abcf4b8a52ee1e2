// Admins learn at once that a channel stopped working (expired token,
// revoked permission…): the channel list is kept live by channel.updated
// events, so the banner comes and goes without a reload.
import { t } from "../i18n";
import { link } from "../router";
import { channelsStore, meStore, useStore } from "../store";

export function ChannelDownBanner() {
  const me = useStore(meStore);
  const channels = useStore(channelsStore);
  if (me?.role !== "admin") return null;
  const down = channels.filter((c) => c.status === "disconnected");
  if (!down.length) return null;
  return (
    <div role="alert" aria-label={t("channelDown.label")}>
      {down.map((c) => (
        <div class="channel-down" data-channel={c.id} key={c.id}>
          <span>{t("channelDown.text", { name: c.name, reason: c.status_reason || t("channelDown.noReason") })}</span>
          <a {...link("/admin/channels")}>{t("channelDown.reconnect")}</a>
        </div>
      ))}
    </div>
  );
}
