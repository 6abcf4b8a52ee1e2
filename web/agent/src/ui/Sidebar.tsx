// The left rail: inbox views with live counts, other sections, and the
// agent's own menu (presence, language, notifications, sign out).
import { useState } from "preact/hooks";
import { api } from "../api";
import { languages, t, type MessageKey } from "../i18n";
import { askNotifications, notificationsAllowed, soundStore } from "../notify";
import { link, navigate } from "../router";
import { connectedStore, countsStore, meStore, toast, useStore } from "../store";
import type { Presence, View } from "../types";
import { disconnect } from "../ws";
import { Avatar, Field, Modal, Popover, errorText } from "./common";
import { Icon } from "./icons";
import { openShortcuts } from "./Shortcuts";
import { Tokens } from "./Tokens";

const views: { view: View; icon: string; key: MessageKey }[] = [
  { view: "mine", icon: "user", key: "view.mine" },
  { view: "unassigned", icon: "unassigned", key: "view.unassigned" },
  { view: "teams", icon: "users", key: "view.teams" },
  { view: "all", icon: "layers", key: "view.all" },
];

export function Sidebar({ section, view }: { section: string; view: View }) {
  const counts = useStore(countsStore);
  const me = useStore(meStore)!;
  const connected = useStore(connectedStore);
  return (
    <nav class="sidebar" aria-label={t("nav.label")}>
      <div class="brand">
        <span class="brand-mark" aria-hidden="true">P</span>
        <span class="brand-name">Parley</span>
        <span class={"live-dot " + (connected ? "on" : "off")} title={connected ? t("live.on") : t("live.off")}
          aria-label={connected ? t("live.on") : t("live.off")} role="img" />
      </div>
      <div class="nav-group">
        <div class="nav-heading">{t("nav.inbox")}</div>
        {views.map((v) => (
          <a {...link("/inbox/" + v.view)} class={"nav-item" + (section === "inbox" && view === v.view ? " active" : "")}
            aria-current={section === "inbox" && view === v.view ? "page" : undefined} data-view={v.view}>
            <Icon name={v.icon} />
            <span class="nav-label">{t(v.key)}</span>
            <span class="count">{counts ? counts[v.view] : ""}</span>
          </a>
        ))}
      </div>
      <div class="nav-group">
        <a {...link("/contacts")} class={"nav-item" + (section === "contacts" ? " active" : "")} aria-current={section === "contacts" ? "page" : undefined}>
          <Icon name="contact" />
          <span class="nav-label">{t("nav.contacts")}</span>
        </a>
        <a {...link("/search")} class={"nav-item" + (section === "search" ? " active" : "")} aria-current={section === "search" ? "page" : undefined}>
          <Icon name="search" />
          <span class="nav-label">{t("nav.search")}</span>
          <kbd class="nav-kbd">/</kbd>
        </a>
        {me.role === "admin" && (
          <a {...link("/admin/channels")} class={"nav-item" + (section === "admin" ? " active" : "")} aria-current={section === "admin" ? "page" : undefined}>
            <Icon name="settings" />
            <span class="nav-label">{t("nav.admin")}</span>
          </a>
        )}
      </div>
      <div class="sidebar-foot">
        <MeMenu />
      </div>
    </nav>
  );
}

function MeMenu() {
  const me = useStore(meStore)!;
  const sound = useStore(soundStore);
  const update = async (u: { presence?: Presence; language?: string }) => {
    try {
      meStore.set(await api.updateMe(u));
    } catch (e) {
      toast(errorText(e), "error");
    }
  };
  const signOut = async () => {
    try {
      await api.logout();
    } catch {
      /* the session may already be gone */
    }
    disconnect();
    meStore.set(null);
    navigate("/inbox/mine", true);
  };
  const perm = notificationsAllowed();
  const [profile, setProfile] = useState(false);
  return (
    <>
    {profile && <ProfileDialog onClose={() => setProfile(false)} />}
    <Popover label={t("me.menu")} class="me-menu" up button={
      <span class="me-button">
        <Avatar name={me.name} size={28} presence={me.presence} />
        <span class="me-text">
          <span class="me-name">{me.name}</span>
          <span class="me-presence">{t(("presence." + me.presence) as MessageKey)}</span>
        </span>
      </span>
    }>
      {(close) => (
        <div class="menu">
          <div class="menu-heading">{t("me.presence")}</div>
          <div class="segmented" role="radiogroup" aria-label={t("me.presence")}>
            {(["online", "away", "offline"] as Presence[]).map((p) => (
              <button type="button" role="radio" aria-checked={me.presence === p} class={me.presence === p ? "on" : ""} onClick={() => update({ presence: p })}>
                <span class={"presence-dot inline " + p} />
                {t(("presence." + p) as MessageKey)}
              </button>
            ))}
          </div>
          <div class="menu-heading">{t("me.language")}</div>
          <div class="segmented" role="radiogroup" aria-label={t("me.language")}>
            {languages.map((l) => (
              <button type="button" role="radio" aria-checked={me.language === l.code} class={me.language === l.code ? "on" : ""}
                onClick={() => update({ language: l.code })}>{l.label}</button>
            ))}
          </div>
          <div class="menu-sep" />
          {perm !== "unsupported" && perm !== "granted" && (
            <button type="button" class="menu-item" onClick={() => askNotifications()} disabled={perm === "denied"}>
              <Icon name="bell" />
              {perm === "denied" ? t("me.notificationsBlocked") : t("me.enableNotifications")}
            </button>
          )}
          <label class="menu-item check">
            <input type="checkbox" checked={sound} onChange={(e) => soundStore.set((e.target as HTMLInputElement).checked)} />
            {t("me.sound")}
          </label>
          <button type="button" class="menu-item" onClick={() => { close(); setProfile(true); }}>
            <Icon name="user" />
            {t("me.profile")}
          </button>
          <button type="button" class="menu-item" onClick={() => { close(); openShortcuts(); }}>
            <Icon name="keyboard" />
            {t("me.shortcuts")}
            <kbd>?</kbd>
          </button>
          <button type="button" class="menu-item" onClick={signOut}>
            <Icon name="logout" />
            {t("me.signOut")}
          </button>
        </div>
      )}
    </Popover>
    </>
  );
}

function ProfileDialog({ onClose }: { onClose: () => void }) {
  const me = useStore(meStore)!;
  const [name, setName] = useState(me.name);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      meStore.set(await api.updateMe({ name: name.trim(), ...(password ? { password } : {}) }));
      toast(t("profile.saved"), "success");
      onClose();
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={t("profile.title")} onClose={onClose}>
      <form class="form" onSubmit={save}>
        <Field label={t("field.name")}><input required value={name} autoComplete="name" onInput={(e) => setName(e.currentTarget.value)} /></Field>
        <Field label={t("profile.newPassword")} hint={t("profile.passwordHint")}>
          <input type="password" minLength={8} autoComplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <div class="modal-actions">
          <button type="button" class="btn ghost" onClick={onClose}>{t("common.cancel")}</button>
          <button type="submit" class="btn primary" disabled={busy}>{t("common.save")}</button>
        </div>
      </form>
      <Tokens />
    </Modal>
  );
}
