// Line icons (24×24, stroke) and filled platform marks, inline so they cost
// no requests and follow currentColor.
import type { JSX } from "preact";
import { platformInfo } from "../platforms";

const paths: Record<string, string> = {
  inbox: "M3 13h5l1.5 3h5L16 13h5M5 5h14l2 8v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-6z",
  user: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0",
  users: "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21a7 7 0 0 1 14 0M16 3.5a4 4 0 0 1 0 7M18 14a6 6 0 0 1 4 7",
  userPlus: "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21a7 7 0 0 1 14 0M19 8v6M16 11h6",
  unassigned: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 12-6.9M17 17l4 4M21 17l-4 4",
  layers: "M12 3l9 5-9 5-9-5zM3 13l9 5 9-5",
  search: "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM21 21l-5-5",
  settings: "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z",
  tag: "M20.6 13.4l-7.2 7.2a2 2 0 0 1-2.8 0L3 13V3h10l7.6 7.6a2 2 0 0 1 0 2.8zM7.5 7.5h.01",
  send: "M22 2L11 13M22 2l-7 20-4-9-9-4z",
  note: "M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9zM14 3v6h6M8 13h8M8 17h5",
  check: "M20 6L9 17l-5-5",
  checks: "M17 6l-9.5 11L3 12.5M22 6l-9.5 11-1.5-1.5",
  clock: "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 6v6l4 2",
  x: "M18 6L6 18M6 6l12 12",
  alert: "M12 9v4M12 17h.01M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z",
  retry: "M1 4v6h6M3.5 15a9 9 0 1 0 2.1-9.4L1 10",
  clip: "M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5",
  file: "M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zM14 2v6h6",
  chevronDown: "M6 9l6 6 6-6",
  chevronLeft: "M15 18l-6-6 6-6",
  more: "M12 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2zM19 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2zM5 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2z",
  merge: "M6 3v6a6 6 0 0 0 6 6h6M15 12l3 3-3 3M6 21V15",
  snooze: "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM9 9h6l-6 6h6",
  flag: "M4 22V4s1-1 4-1 5 2 8 2 4-1 4-1v11s-1 1-4 1-5-2-8-2-4 1-4 1",
  reopen: "M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5",
  plug: "M12 22v-5M9 7V2M15 7V2M6 7h12v5a6 6 0 0 1-12 0z",
  logout: "M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9",
  keyboard: "M20 5H4a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2zM6 9h.01M10 9h.01M14 9h.01M18 9h.01M7 15h10",
  bell: "M18 8A6 6 0 0 0 6 8c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0",
  globe: "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM2 12h20M12 2a15 15 0 0 1 0 20M12 2a15 15 0 0 0 0 20",
  panel: "M3 3h18v18H3zM15 3v18",
  plus: "M12 5v14M5 12h14",
  trash: "M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6",
  download: "M12 3v12M7 10l5 5 5-5M4 21h16",
  eye: "M1 12s4-8 11-8 11 8 11 8-4 8-11 8S1 12 1 12zM12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
  pencil: "M17 3l4 4L7 21H3v-4z",
  contact: "M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM22 11h-6M19 8v6",
  building: "M4 21V3h12v18M16 9h4v12M8 7h4M8 11h4M8 15h4M2 21h20",
  phone: "M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1.9.4 1.8.7 2.7a2 2 0 0 1-.5 2.1L8 9.8a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.5c.9.3 1.8.6 2.7.7a2 2 0 0 1 1.9 2z",
  mail: "M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM22 6l-10 7L2 6",
};

export function Icon({ name, size = 16, class: cls }: { name: keyof typeof paths | string; size?: number; class?: string }) {
  return (
    <svg class={"icon " + (cls ?? "")} width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor"
      stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      <path d={paths[name] ?? paths.file} />
    </svg>
  );
}

// White glyphs drawn on the platform's colour (viewBox 0 0 24 24).
const marks: Record<string, JSX.Element> = {
  messenger: <path d="M12 4C7.6 4 4 7.3 4 11.4c0 2.3 1.1 4.4 2.9 5.7V20l2.7-1.5c.8.2 1.6.3 2.4.3 4.4 0 8-3.3 8-7.4S16.4 4 12 4zm.8 10l-2-2.2-4 2.2 4.4-4.7 2.1 2.2 3.9-2.2z" fill="#fff" />,
  instagram: <g fill="none" stroke="#fff" stroke-width="1.8"><rect x="5" y="5" width="14" height="14" rx="4" /><circle cx="12" cy="12" r="3.2" /><circle cx="16.2" cy="7.8" r=".6" fill="#fff" /></g>,
  whatsapp: <g fill="none" stroke="#fff" stroke-width="1.7"><path d="M5.5 18.5l1-3.3A7 7 0 1 1 9 17.6z" /><path d="M9.5 9.5c0 2.5 2.5 5 5 5l1-1.2-1.6-.9-.8.7c-.9-.4-1.8-1.3-2.2-2.2l.7-.8-.9-1.6z" fill="#fff" stroke="none" /></g>,
  facebook_comments: <path d="M13.2 20v-6.5h2.2l.3-2.6h-2.5V9.3c0-.7.2-1.2 1.3-1.2h1.3V5.8c-.2 0-1-.1-1.9-.1-1.9 0-3.2 1.2-3.2 3.3v1.9H8.5v2.6h2.2V20z" fill="#fff" />,
  telegram: <path d="M5 11.6l12.6-4.9c.6-.2 1.1.1.9 1l-2.1 10c-.2.7-.6.9-1.2.5l-3.2-2.4-1.6 1.5c-.2.2-.3.3-.7.3l.2-3.3 6-5.4c.3-.2-.1-.4-.4-.2l-7.4 4.7-3.2-1c-.7-.2-.7-.7.1-.8z" fill="#fff" />,
  email: <g fill="none" stroke="#fff" stroke-width="1.8"><rect x="4.5" y="6.5" width="15" height="11" rx="1.5" /><path d="M5 7.5l7 5 7-5" /></g>,
  sms: <g fill="#fff"><path d="M5 6h14a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1h-7l-4 3v-3H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1z" /><circle cx="9" cy="11" r="1" fill="#8a5cf6" /><circle cx="12" cy="11" r="1" fill="#8a5cf6" /><circle cx="15" cy="11" r="1" fill="#8a5cf6" /></g>,
  widget: <path d="M6 6h12a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2h-5l-4 3v-3H6a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z" fill="#fff" />,
  voice: <path d="M8.6 5.5l1.6 3-1.3 1.4a9 9 0 0 0 4.2 4.2l1.4-1.3 3 1.6-.6 2.6c-5.6.5-11-4.9-10.5-10.5z" fill="#fff" />,
  api: <g fill="none" stroke="#fff" stroke-width="1.8" stroke-linecap="round"><path d="M9 7c-2 0-2 1-2 2.5S6 12 5 12c1 0 2 1 2 2.5S7 17 9 17M15 7c2 0 2 1 2 2.5s1 2.5 2 2.5c-1 0-2 1-2 2.5S17 17 15 17" /></g>,
};

/** PlatformIcon is the channel's mark on its brand colour, labelled for screen readers. */
export function PlatformIcon({ platform, size = 18, label }: { platform: string; size?: number; label?: boolean }) {
  const info = platformInfo(platform);
  return (
    <svg class="platform-icon" width={size} height={size} viewBox="0 0 24 24" role="img" aria-label={label === false ? undefined : info.name}
      aria-hidden={label === false ? "true" : undefined}>
      <title>{info.name}</title>
      <rect width="24" height="24" rx="6" fill={info.color} />
      {marks[platform] ?? marks.api}
    </svg>
  );
}
