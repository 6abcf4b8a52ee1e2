// A tiny history router: the path is the state, components subscribe to it.
import { useEffect, useState } from "preact/hooks";

const listeners = new Set<() => void>();

export function navigate(to: string, replace = false) {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  listeners.forEach((f) => f());
}

window.addEventListener("popstate", () => listeners.forEach((f) => f()));

export interface Location {
  path: string;
  parts: string[];
  query: URLSearchParams;
}

function read(): Location {
  const path = location.pathname;
  return { path, parts: path.split("/").filter(Boolean), query: new URLSearchParams(location.search) };
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const f = () => setLoc(read());
    listeners.add(f);
    return () => {
      listeners.delete(f);
    };
  }, []);
  return loc;
}

/** link returns props for an <a> that navigates without a reload. */
export function link(to: string) {
  return {
    href: to,
    onClick: (e: MouseEvent) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(to);
    },
  };
}
