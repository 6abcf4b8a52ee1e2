// Entry point: <script src="https://parley.example/widget/v1/widget.js" data-channel="ID" async></script>
// Optional attributes: data-locale ("en" | "zh-CN"), and for signed-in users
// data-user-id, data-user-hash (hex HMAC-SHA256 of the id with the channel's
// identity secret, computed on the host's server), data-user-name, data-user-email.
import { Widget } from "./widget";

declare global {
  interface Window { Parley?: { open(): void; close(): void } }
}

function boot(): void {
  const script = (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>('script[data-channel][src*="/widget/v1/widget.js"]');
  if (!script || document.getElementById("parley-widget")) return;
  const d = script.dataset;
  const channel = d.channel ?? "";
  if (!/^\d+$/.test(channel)) {
    console.warn("Parley widget: data-channel must be the widget channel's id");
    return;
  }
  const user = d.userId && d.userHash ? { id: d.userId, signature: d.userHash, name: d.userName, email: d.userEmail } : null;
  const w = new Widget({ base: new URL(script.src).origin, channel, locale: d.locale ?? null, user });
  const start = () => w.start().then(
    () => { window.Parley = { open: () => w.open(), close: () => w.close() }; },
    (e) => console.warn("Parley widget could not start:", e),
  );
  if (document.body) void start();
  else document.addEventListener("DOMContentLoaded", () => void start(), { once: true });
}

boot();
