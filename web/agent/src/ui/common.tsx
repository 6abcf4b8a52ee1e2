// Small building blocks shared by every screen.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { t, type MessageKey } from "../i18n";
import { toast } from "../store";
import type { Priority, Status } from "../types";
import { Icon } from "./icons";

const avatarColors = ["#5b6ee1", "#0f9aa8", "#d9480f", "#9c36b5", "#2b8a3e", "#c2255c", "#1971c2", "#e67700"];

export function Avatar({ name, size = 32, url, presence }: { name: string; size?: number; url?: string; presence?: string }) {
  const words = (name || "?").trim().split(/\s+/);
  const lettered = words.filter((w) => /^\p{L}/u.test(w)); // "Customer 48" → "C", not "C4"
  const initials = (lettered.length ? lettered : words).slice(0, 2).map((w) => [...w][0] ?? "").join("").toUpperCase() || "?";
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const style = { width: size + "px", height: size + "px", fontSize: Math.round(size * 0.4) + "px", background: avatarColors[h % avatarColors.length] };
  return (
    <span class="avatar" style={style} aria-hidden="true">
      {url ? <img src={url} alt="" loading="lazy" /> : initials}
      {presence && <span class={"presence-dot " + presence} />}
    </span>
  );
}

export function StatusPill({ status }: { status: Status }) {
  return <span class={"pill status-" + status}>{t(("status." + status) as MessageKey)}</span>;
}

export function PriorityMark({ priority, withLabel }: { priority: Priority; withLabel?: boolean }) {
  if (priority <= 1 && !withLabel) return null;
  const label = t(("priority." + priority) as MessageKey);
  return (
    <span class={"priority p" + priority} title={label}>
      <Icon name="flag" size={12} />
      {withLabel || priority > 1 ? <span>{label}</span> : null}
    </span>
  );
}

export function Spinner({ label }: { label?: string }) {
  return <span class="spinner" role="status" aria-label={label ?? t("common.loading")} />;
}

export function Empty({ icon = "inbox", title, hint }: { icon?: string; title: string; hint?: string }) {
  return (
    <div class="empty">
      <Icon name={icon} size={28} />
      <p class="empty-title">{title}</p>
      {hint && <p class="empty-hint">{hint}</p>}
    </div>
  );
}

/** useDismiss closes a popover on outside click or Escape. */
export function useDismiss(open: boolean, close: () => void) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) close();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        close();
      }
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey, true);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey, true);
    };
  }, [open]);
  return ref;
}

/** Popover is a button that opens a panel; the panel gets focus and closes on Escape. */
export function Popover(props: {
  label: string;
  button: ComponentChildren;
  class?: string;
  align?: "left" | "right";
  up?: boolean;
  children: (close: () => void) => ComponentChildren;
  open?: boolean;
  onOpenChange?: (o: boolean) => void;
}) {
  const [own, setOwn] = useState(false);
  const open = props.open ?? own;
  const setOpen = (o: boolean) => (props.onOpenChange ? props.onOpenChange(o) : setOwn(o));
  const btn = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    btn.current?.focus();
  };
  const ref = useDismiss(open, close);
  useLayoutEffect(() => {
    if (!open || ref.current?.querySelector(".popover-panel")?.contains(document.activeElement)) return;
    const el = ref.current?.querySelector<HTMLElement>(".popover-panel input, .popover-panel button, .popover-panel select");
    el?.focus();
  }, [open]);
  return (
    <div class={"popover " + (props.class ?? "")} ref={ref}>
      <button ref={btn} type="button" class="btn" aria-haspopup="true" aria-expanded={open} aria-label={props.label} title={props.label}
        onClick={() => setOpen(!open)}>
        {props.button}
      </button>
      {open && (
        <div class={"popover-panel " + (props.align === "right" ? "right" : "") + (props.up ? " up" : "")} role="dialog" aria-label={props.label}>
          {props.children(close)}
        </div>
      )}
    </div>
  );
}

export function Modal({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  // Focus moves in before the first paint, so nothing typed meanwhile can land elsewhere.
  useLayoutEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    if (!ref.current?.contains(document.activeElement)) {
      const first = ref.current?.querySelector<HTMLElement>(".modal-body input, .modal-body select, .modal-body textarea, .modal-body button");
      (first ?? ref.current?.querySelector<HTMLElement>("button"))?.focus();
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        onClose();
      }
    };
    document.addEventListener("keydown", onKey, true);
    return () => {
      document.removeEventListener("keydown", onKey, true);
      prev?.focus?.();
    };
  }, []);
  return (
    <div class="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div class={"modal" + (wide ? " wide" : "")} role="dialog" aria-modal="true" aria-label={title} ref={ref}>
        <header class="modal-head">
          <h2>{title}</h2>
          <button type="button" class="btn ghost icon-only" aria-label={t("common.close")} onClick={onClose}>
            <Icon name="x" />
          </button>
        </header>
        <div class="modal-body">{children}</div>
      </div>
    </div>
  );
}

export function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint && <span class="field-hint">{hint}</span>}
    </label>
  );
}

const entities: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#34;": '"' };

/**
 * Snippet renders a server search snippet. Only <mark> survives: the rest is
 * shown as text (entities decoded), so no markup from messages can run.
 */
export function Snippet({ html }: { html: string }) {
  const parts: JSX.Element[] = [];
  let marked = false;
  let key = 0;
  for (const piece of html.split(/(<\/?mark>)/i)) {
    const lower = piece.toLowerCase();
    if (lower === "<mark>") marked = true;
    else if (lower === "</mark>") marked = false;
    else if (piece) {
      const text = piece.replace(/&(amp|lt|gt|quot|#39|#34);/g, (m) => entities[m] ?? m);
      parts.push(marked ? <mark key={key++}>{text}</mark> : <span key={key++}>{text}</span>);
    }
  }
  return <span class="snippet">{parts}</span>;
}

export function errorText(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (err?.code === "network") return t("error.network");
  return err?.message || t("error.generic");
}

/** attempt runs an admin change, reporting success or the error as a toast. */
export async function attempt<T>(f: () => Promise<T>, ok?: string): Promise<T | undefined> {
  try {
    const r = await f();
    if (ok) toast(ok, "success");
    return r;
  } catch (e) {
    toast(errorText(e), "error");
    return undefined;
  }
}
