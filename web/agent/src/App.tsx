// The application shell: boot (who am I?), sign-in, the sidebar, routing and
// the handling of realtime events that concern more than one screen.
import { useEffect, useState } from "preact/hooks";
import { api, setUnauthorizedHandler } from "./api";
import { onLanguageChange, setLanguage, t } from "./i18n";
import { applyConversation, conversationsStore, listStore } from "./inbox";
import { notifyMessage } from "./notify";
import { AdminPage } from "./pages/Admin";
import { ContactsPage } from "./pages/Contacts";
import { InboxPage } from "./pages/Inbox";
import { LoginPage } from "./pages/Login";
import { SearchPage } from "./pages/Search";
import { Lightbox } from "./pages/Thread";
import { SetupPage } from "./pages/Setup";
import { navigate, useLocation } from "./router";
import { agentsStore, channelsStore, connectedStore, countsStore, loadDirectory, meStore, refreshCounts, toastsStore, useStore } from "./store";
import type { ServerEvent, View } from "./types";
import { Shortcuts } from "./ui/Shortcuts";
import { Sidebar } from "./ui/Sidebar";
import { ChannelDownBanner } from "./ui/ChannelDownBanner";
import { Spinner } from "./ui/common";
import { connect, disconnect, onEvent } from "./ws";

export function App() {
  const me = useStore(meStore);
  const loc = useLocation();
  const [, setLang] = useState(0);
  useEffect(() => onLanguageChange(() => setLang((n) => n + 1)), []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      disconnect();
      meStore.set(null);
    });
    if (loc.parts[0] === "setup") return;
    api.me().then(
      (a) => meStore.set(a),
      () => meStore.set(null),
    );
  }, []);

  useEffect(() => {
    if (!me) return;
    setLanguage(me.language);
    loadDirectory();
    refreshCounts(0);
    connect();
    return onEvent(handleEvent);
  }, [me?.id]);

  useEffect(() => {
    if (me) setLanguage(me.language);
  }, [me?.language]);

  // Facebook Login's callback returns to /settings/channels with its outcome in the query.
  useEffect(() => {
    if (me && loc.parts[0] === "settings") navigate("/admin/" + (loc.parts[1] ?? "channels") + location.search, true);
  }, [me?.id, loc.path]);
  const known = ["inbox", "contacts", "search", "admin", "settings"];
  const section = loc.parts[0] ?? "inbox";
  const lost = me && (!known.includes(section) || (section === "inbox" && !loc.parts[1]) || (section === "admin" && me.role !== "admin"));
  useEffect(() => {
    if (lost && loc.parts[0] !== "setup") navigate("/inbox/mine", true);
  }, [lost, loc.path]);

  if (loc.parts[0] === "setup") return <SetupPage token={loc.query.get("token") ?? ""} />;
  if (me === undefined) return <div class="boot"><Spinner /></div>;
  if (me === null) return <LoginPage />;
  return (
    <div class="shell">
      <a class="skip-link" href="#main">{t("a11y.skip")}</a>
      <Sidebar section={section} view={(loc.parts[1] ?? "mine") as View} />
      <main id="main" class="main" tabIndex={-1}>
        <OfflineBanner />
        <ChannelDownBanner />
        {section === "inbox" && <InboxPage view={(loc.parts[1] ?? "mine") as View} openId={Number(loc.parts[2]) || 0} />}
        {section === "contacts" && <ContactsPage contactId={Number(loc.parts[1]) || 0} />}
        {section === "search" && <SearchPage initial={loc.query.get("q") ?? ""} />}
        {section === "admin" && <AdminPage tab={loc.parts[1] ?? "channels"} />}
      </main>
      <Shortcuts />
      <Lightbox />
      <Toasts />
      <TitleBadge />
    </div>
  );
}

function handleEvent(e: ServerEvent) {
  const me = meStore.get();
  switch (e.type) {
    case "conversation.created":
    case "conversation.updated":
    case "conversation.assigned":
      if (e.conversation) {
        const before = conversationsStore.get().get(e.conversation.id);
        applyConversation(e.conversation);
        // Someone else handed me a ticket (my own assignments already updated the cache).
        if (me && e.conversation.assignee_id === me.id && before?.assignee_id !== me.id) {
          const c = e.conversation;
          notifyMessage(c.contact?.name ?? "#" + c.number, t("notify.assigned", { number: c.number }), () => navigate(`/inbox/mine/${c.id}`));
        }
      }
      refreshCounts();
      break;
    case "message.created":
      if (e.conversation) applyConversation(e.conversation);
      else if (e.message) bumpConversation(e.message.conversation_id, e.message.body, e.message.created_at, e.message.direction === "in");
      refreshCounts();
      if (e.message?.direction === "in" && me) maybeNotify(e);
      break;
    case "channel.updated":
      if (e.channel) channelsStore.set((cs) => cs.map((c) => (c.id === e.channel!.id ? e.channel! : c)));
      break;
    case "presence":
      if (e.presence) {
        const p = e.presence;
        agentsStore.set((as) => as.map((a) => (a.id === p.agent_id && p.presence ? { ...a, presence: p.presence } : a)));
        if (me && p.agent_id === me.id && p.presence) meStore.set({ ...me, presence: p.presence });
      }
      break;
    case "reconnected":
      refreshCounts(0);
      break;
  }
}

/** bumpConversation moves a ticket to the top when only its message arrived. */
function bumpConversation(id: number, preview: string, at: string, inbound: boolean) {
  const c = conversationsStore.get().get(id);
  if (!c) return;
  applyConversation({
    ...c,
    last_preview: preview,
    last_message_at: at,
    unread_count: inbound ? c.unread_count + 1 : c.unread_count,
    unread: inbound ? true : c.unread,
    version: c.version,
  });
}

function maybeNotify(e: ServerEvent) {
  const me = meStore.get()!;
  const m = e.message!;
  const conv = e.conversation ?? conversationsStore.get().get(m.conversation_id);
  if (!conv || conv.assignee_id !== me.id) return;
  const looking = document.visibilityState === "visible" && location.pathname.endsWith("/" + m.conversation_id);
  if (looking) return;
  const name = conv.contact?.name ?? "#" + conv.number;
  notifyMessage(name, m.body || t("message.attachment"), () => {
    const view = listStore.get().view;
    navigate(`/inbox/${view}/${m.conversation_id}`);
  });
}

/** OfflineBanner says so when live updates have been down for a few seconds. */
function OfflineBanner() {
  const connected = useStore(connectedStore);
  const [show, setShow] = useState(false);
  useEffect(() => {
    if (connected) {
      setShow(false);
      return;
    }
    const id = setTimeout(() => setShow(true), 4000);
    return () => clearTimeout(id);
  }, [connected]);
  if (!show) return null;
  return <div class="offline-banner" role="status">{t("live.paused")}</div>;
}

/** TitleBadge shows the number of my active tickets in the tab title. */
function TitleBadge() {
  const counts = useStore(countsStore);
  useEffect(() => {
    document.title = counts && counts.mine > 0 ? `(${counts.mine}) Parley` : "Parley";
  }, [counts?.mine]);
  return null;
}

function Toasts() {
  const toasts = useStore(toastsStore);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.map((x) => (
        <div key={x.id} class={"toast " + x.kind}>{x.text}</div>
      ))}
    </div>
  );
}
