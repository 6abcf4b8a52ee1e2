// Desktop notifications and a short chime for new customer messages on the
// agent's own tickets, when the agent is not already looking at them.
import { t } from "./i18n";
import { createStore } from "./store";

export const soundStore = createStore<boolean>(localStorage.getItem("parley.sound") !== "off");
soundStore.subscribe((on) => localStorage.setItem("parley.sound", on ? "on" : "off"));

export function notificationsAllowed(): NotificationPermission | "unsupported" {
  return "Notification" in window ? Notification.permission : "unsupported";
}

export async function askNotifications(): Promise<void> {
  if ("Notification" in window && Notification.permission === "default") await Notification.requestPermission();
}

let audio: AudioContext | undefined;
let lastChime = 0;

/** chime plays a short two-note sound, at most once every two seconds (bursts stay one sound). */
export function chime() {
  const now = Date.now();
  if (!soundStore.get() || now - lastChime < 2000) return;
  lastChime = now;
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      osc.type = "sine";
      gain.gain.setValueAtTime(0.0001, now + i * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.12, now + i * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.3);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.12);
      osc.stop(now + i * 0.12 + 0.32);
    }
  } catch {
    /* audio may be blocked until the first user gesture */
  }
}

export function notifyMessage(from: string, body: string, onClick: () => void) {
  chime();
  if (notificationsAllowed() !== "granted" || (document.visibilityState === "visible" && document.hasFocus())) return;
  const n = new Notification(t("notify.title", { name: from }), { body: body.slice(0, 140), tag: "parley-" + from });
  n.onclick = () => {
    window.focus();
    onClick();
    n.close();
  };
}
