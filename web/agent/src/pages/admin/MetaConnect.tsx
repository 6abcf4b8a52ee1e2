// One-click connecting of Meta channels: Facebook Login for Pages (and the
// Instagram accounts linked to them), Instagram Login where the node offers
// it, WhatsApp Embedded Signup; and the Graph API versions near their end.
import { useEffect, useState } from "preact/hooks";
import { api, type MetaConnectInfo } from "../../api";
import { dateTime, t } from "../../i18n";
import { navigate } from "../../router";
import { channelById, channelsStore, toast } from "../../store";
import { errorText } from "../../ui/common";
import { Icon, PlatformIcon } from "../../ui/icons";

export function MetaConnect() {
  const [info, setInfo] = useState<MetaConnectInfo | null>(null);
  const [instagramLogin, setInstagramLogin] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.metaConnect().then(setInfo, () => setInfo(null));
    // The Instagram Login flow is newer than the others: offer it only where the node has it.
    fetch("/api/v1/connect/instagram", { redirect: "manual", credentials: "same-origin" })
      .then((r) => setInstagramLogin(r.type === "opaqueredirect" || (r.status >= 300 && r.status < 400)), () => {});
    reportCallback();
  }, []);
  if (!info) return null;
  const warnings = info.warnings ?? [];
  const whatsapp = async () => {
    setBusy(true);
    try {
      const c = await embeddedSignup(info);
      if (c) {
        channelsStore.set((cs) => [...cs.filter((x) => x.id !== c.id), c]);
        toast(t("channels.connected"), "success");
      }
    } catch (e) {
      toast(errorText(e), "error");
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="meta-connect card" aria-label={t("meta.title")}>
      <header>
        <h3>{t("meta.title")}</h3>
        <span class="muted">{t("meta.version", { version: info.graph_version })}</span>
      </header>
      {info.enabled ? (
        <div class="meta-buttons">
          <a class="btn" href="/api/v1/connect/facebook"><PlatformIcon platform="messenger" size={16} label={false} />{t("meta.facebook")}</a>
          <a class="btn" href={instagramLogin ? "/api/v1/connect/instagram" : "/api/v1/connect/facebook"} title={instagramLogin ? undefined : t("meta.instagramViaPage")}>
            <PlatformIcon platform="instagram" size={16} label={false} />{t("meta.instagram")}
          </a>
          {info.whatsapp_config_id && (
            <button type="button" class="btn" disabled={busy} onClick={whatsapp}><PlatformIcon platform="whatsapp" size={16} label={false} />{t("meta.whatsapp")}</button>
          )}
        </div>
      ) : <p class="muted">{t("meta.disabled")}</p>}
      {warnings.length > 0 && (
        <ul class="version-warnings">
          {warnings.map((w) => <li role="alert"><Icon name="alert" size={14} />{warningText(w)}</li>)}
        </ul>
      )}
    </section>
  );
}

/** warningText phrases a Graph version warning in the agent's language from its version and date. */
function warningText(w: { channel_id?: number; graph_version: string; message: string }): string {
  const date = /\d{4}-\d{2}-\d{2}/.exec(w.message)?.[0];
  if (!date) return w.message;
  const ended = new Date(date + "T00:00:00Z").getTime() <= Date.now();
  const when = dateTime(date + "T00:00:00Z", false);
  const text = t(ended ? "meta.versionEnded" : "meta.versionEnding", { version: w.graph_version, date: when });
  const channel = w.channel_id ? channelById(w.channel_id)?.name : undefined;
  return channel ? channel + ": " + text : text;
}

/** reportCallback tells the outcome of Facebook Login, which returns here with it in the query. */
function reportCallback() {
  const q = new URLSearchParams(location.search);
  const connected = q.get("connected");
  const failed = q.get("connect_error");
  if (connected === null && failed === null) return;
  if (failed) toast(t("meta.failed", { error: failed }), "error");
  else toast(t("meta.connectedCount", { count: Number(connected) || 0 }), "success");
  api.channels().then((r) => channelsStore.set(Array.isArray(r) ? r : r.items ?? []), () => {});
  navigate("/admin/channels", true);
}

declare global {
  interface Window {
    FB?: any;
    fbAsyncInit?: () => void;
  }
}

/** embeddedSignup runs WhatsApp Embedded Signup in Meta's dialog and hands its result to the node. */
async function embeddedSignup(info: MetaConnectInfo) {
  await loadFacebookSDK(info);
  let ids: { waba_id?: string; phone_number_id?: string } = {};
  const onMessage = (e: MessageEvent) => {
    if (!/(^|\.)facebook\.com$/.test(new URL(e.origin).hostname)) return;
    try {
      const data = typeof e.data === "string" ? JSON.parse(e.data) : e.data;
      if (data?.type === "WA_EMBEDDED_SIGNUP" && data.data?.waba_id) ids = data.data;
    } catch {
      /* other messages of the SDK */
    }
  };
  window.addEventListener("message", onMessage);
  try {
    const code = await new Promise<string | null>((resolve) =>
      window.FB.login((r: any) => resolve(r?.authResponse?.code ?? null), {
        config_id: info.whatsapp_config_id, response_type: "code", override_default_response_type: true,
        extras: { setup: {}, sessionInfoVersion: "3" },
      }));
    if (!code) return null;
    if (!ids.waba_id || !ids.phone_number_id) throw new Error(t("meta.whatsappIncomplete"));
    return await api.connectWhatsApp({ code, waba_id: ids.waba_id, phone_number_id: ids.phone_number_id });
  } finally {
    window.removeEventListener("message", onMessage);
  }
}

let sdk: Promise<void> | undefined;
function loadFacebookSDK(info: MetaConnectInfo): Promise<void> {
  sdk ??= new Promise<void>((resolve, reject) => {
    window.fbAsyncInit = () => {
      window.FB.init({ appId: info.app_id, autoLogAppEvents: false, xfbml: false, version: info.graph_version });
      resolve();
    };
    const s = document.createElement("script");
    s.src = "https://connect.facebook.net/en_US/sdk.js";
    s.async = true;
    s.crossOrigin = "anonymous";
    s.onerror = () => {
      sdk = undefined;
      reject(new Error(t("meta.sdkFailed")));
    };
    document.head.appendChild(s);
  });
  return sdk;
}
