// Global keyboard shortcuts and their help dialog. Keys are ignored while the
// agent types in a field, except Escape.
import { useEffect } from "preact/hooks";
import { t, type MessageKey } from "../i18n";
import { navigate } from "../router";
import { createStore, useStore } from "../store";
import { Modal } from "./common";

const openStore = createStore(false);
export const openShortcuts = () => openStore.set(true);

/** Actions the open screen registers (move, reply, note, resolve, assign). */
export type ShortcutAction = "next" | "prev" | "reply" | "note" | "resolve" | "assign";
const actions = new Map<ShortcutAction, () => void>();
export function registerShortcut(a: ShortcutAction, f: () => void): () => void {
  actions.set(a, f);
  return () => {
    if (actions.get(a) === f) actions.delete(a);
  };
}

const keymap: Record<string, ShortcutAction> = { j: "next", k: "prev", r: "reply", n: "note", e: "resolve", a: "assign" };

const help: [string, MessageKey][] = [
  ["j / k", "keys.move"],
  ["r", "keys.reply"],
  ["n", "keys.note"],
  ["e", "keys.resolve"],
  ["a", "keys.assign"],
  ["/", "keys.search"],
  ["Ctrl/⌘ + Enter", "keys.send"],
  ["?", "keys.help"],
  ["Esc", "keys.escape"],
];

function typingInField(e: KeyboardEvent) {
  const el = e.target as HTMLElement;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

export function Shortcuts() {
  const open = useStore(openStore);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || typingInField(e)) return;
      if (document.querySelector(".modal-backdrop") && e.key !== "?") return;
      if (e.key === "?") {
        e.preventDefault();
        openStore.set(!openStore.get());
        return;
      }
      if (e.key === "/") {
        e.preventDefault();
        const box = document.getElementById("search-input") as HTMLInputElement | null;
        if (box) box.focus();
        else navigate("/search");
        return;
      }
      const action = keymap[e.key];
      const f = action && actions.get(action);
      if (f) {
        e.preventDefault();
        f();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  if (!open) return null;
  return (
    <Modal title={t("keys.title")} onClose={() => openStore.set(false)}>
      <table class="keys">
        <tbody>
          {help.map(([k, label]) => (
            <tr>
              <td><kbd>{k}</kbd></td>
              <td>{t(label)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
