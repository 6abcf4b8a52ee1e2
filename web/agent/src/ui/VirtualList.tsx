// A list that renders only the rows in view, for rows of varying height.
// Heights are measured as rows appear and remembered by key; until then an
// estimate stands in. With stickToBottom it behaves like a chat: it opens at
// the end and follows new rows while the reader is at the end.
import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";

interface Props<T> {
  items: T[];
  keyOf: (item: T) => string | number;
  render: (item: T, index: number) => ComponentChildren;
  estimate?: (item: T) => number;
  stickToBottom?: boolean;
  class?: string;
  label?: string;
  overscan?: number;
  /** scrollToKey brings a row into view when it changes. */
  scrollToKey?: string | number;
  /** jumpLabel names the button that returns to the end, shown when the reader scrolled away. */
  jumpLabel?: string;
}

export function VirtualList<T>(props: Props<T>) {
  const { items, keyOf, render, estimate = () => 60, overscan = 600 } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string | number, number>());
  const [tick, setTick] = useState(0);
  const [view, setView] = useState({ top: 0, height: 800 });
  const atBottom = useRef(true);
  const [away, setAway] = useState(false);
  const pending = useRef(0);

  const offsets = useMemo(() => {
    const out = new Float64Array(items.length + 1);
    for (let i = 0; i < items.length; i++) {
      out[i + 1] = out[i] + (heights.current.get(keyOf(items[i])) ?? estimate(items[i]));
    }
    return out;
  }, [items, tick]);
  const total = offsets[items.length];

  const first = Math.max(0, lowerBound(offsets, view.top - overscan) - 1);
  const last = Math.min(items.length, lowerBound(offsets, view.top + view.height + overscan) + 1);

  const remeasure = () => {
    if (pending.current) return;
    pending.current = requestAnimationFrame(() => {
      pending.current = 0;
      setTick((n) => n + 1);
    });
  };

  const observer = useMemo(
    () =>
      new ResizeObserver((entries) => {
        let changed = false;
        for (const e of entries) {
          const el = e.target as HTMLElement;
          const key = el.dataset.key!;
          const h = el.offsetHeight;
          const k = isNaN(Number(key)) ? key : Number(key);
          if (h && heights.current.get(k) !== h) {
            heights.current.set(k, h);
            changed = true;
          }
        }
        if (changed) remeasure();
      }),
    [],
  );
  useEffect(() => () => observer.disconnect(), []);

  useLayoutEffect(() => {
    const el = scroller.current!;
    const onResize = () => setView({ top: el.scrollTop, height: el.clientHeight });
    onResize();
    const ro = new ResizeObserver(onResize);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Follow the end: after every layout change, stay at the bottom if we were there.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !props.stickToBottom) return;
    if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  });

  useLayoutEffect(() => {
    if (props.scrollToKey === undefined) return;
    const i = items.findIndex((x) => keyOf(x) === props.scrollToKey);
    if (i >= 0 && scroller.current) {
      atBottom.current = false;
      scroller.current.scrollTop = Math.max(0, offsets[i] - 80);
    }
  }, [props.scrollToKey]);

  const onScroll = () => {
    const el = scroller.current!;
    const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
    atBottom.current = distance < 48;
    setAway(distance > 400);
    setView({ top: el.scrollTop, height: el.clientHeight });
  };

  const rows = [];
  for (let i = first; i < last; i++) {
    const item = items[i];
    const key = keyOf(item);
    rows.push(
      <Row key={key} k={key} top={offsets[i]} observer={observer}>
        {render(item, i)}
      </Row>,
    );
  }
  const jump = () => {
    const el = scroller.current!;
    atBottom.current = true;
    el.scrollTop = el.scrollHeight;
  };
  return (
    <div class="vlist-wrap">
      <div class={"vlist " + (props.class ?? "")} ref={scroller} onScroll={onScroll} role="log" aria-label={props.label} tabIndex={0}>
        <div class="vlist-inner" style={{ height: total + "px" }}>
          {rows}
        </div>
      </div>
      {props.stickToBottom && away && props.jumpLabel && (
        <button type="button" class="jump-latest" onClick={jump}>↓ {props.jumpLabel}</button>
      )}
    </div>
  );
}

function Row({ k, top, observer, children }: { k: string | number; top: number; observer: ResizeObserver; children: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = ref.current!;
    observer.observe(el);
    return () => observer.unobserve(el);
  }, []);
  return (
    <div ref={ref} class="vlist-row" data-key={String(k)} style={{ transform: `translateY(${top}px)` }}>
      {children}
    </div>
  );
}

/** lowerBound is the first index whose offset is ≥ value. */
function lowerBound(a: Float64Array, value: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
