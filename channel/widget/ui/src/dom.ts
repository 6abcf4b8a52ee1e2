// Tiny DOM helpers: every text goes in as textContent, never as HTML.

type Attrs = Record<string, string | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...kids: (Node | string | null)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === "class") e.className = String(v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) if (k !== null) e.append(k);
  return e;
}

const SVG = "http://www.w3.org/2000/svg";

export function icon(path: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS(SVG, "path");
  p.setAttribute("d", path);
  svg.append(p);
  return svg;
}

export const ICONS = {
  chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z",
  send: "M3 20.5 21 12 3 3.5v6.6l12 1.9-12 1.9z",
  clip: "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z",
};

/** linkify appends text to parent, turning http(s) addresses into links. */
export function linkify(parent: HTMLElement, text: string): void {
  const re = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]']/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    const i = m.index ?? 0;
    parent.append(text.slice(last, i));
    parent.append(el("a", { href: m[0], target: "_blank", rel: "noopener noreferrer nofollow" }, m[0]));
    last = i + m[0].length;
  }
  parent.append(text.slice(last));
}
