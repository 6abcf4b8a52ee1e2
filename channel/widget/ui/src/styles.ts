// The widget's styles, applied as a constructed style sheet inside its
// shadow root: nothing leaks to the host page, nothing from the host page
// (beyond inherited font size) reaches in, and no inline <style> is needed,
// so a host's strict style-src never blocks it.
const css = `
:host { all: initial; }
.pw { all: initial; letter-spacing: normal; word-spacing: normal; text-transform: none; text-align: left; text-indent: 0; font-style: normal; font-weight: 400; white-space: normal; visibility: visible; direction: ltr; cursor: auto; position: fixed; bottom: 20px; z-index: 2147483000; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Microsoft YaHei", sans-serif; color: #111827; }
.pw.right { right: 20px; } .pw.left { left: 20px; }
* { box-sizing: border-box; }
button, input, textarea { font: inherit; color: inherit; letter-spacing: inherit; }
[hidden] { display: none !important; }
.launcher { width: 56px; height: 56px; border-radius: 50%; border: 0; background: var(--accent); color: #fff; cursor: pointer; box-shadow: 0 6px 20px rgba(0,0,0,.22); display: grid; place-items: center; position: relative; }
.pw.left .launcher { float: left; } .pw.right .launcher { float: right; }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible, input:focus-visible { outline: 3px solid color-mix(in srgb, var(--accent) 45%, white); outline-offset: 2px; }
.launcher svg { width: 26px; height: 26px; fill: currentColor; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 6px; border-radius: 10px; background: #dc2626; color: #fff; font-size: 12px; font-weight: 600; line-height: 20px; text-align: center; }
.panel { width: 360px; max-width: calc(100vw - 40px); height: 540px; max-height: calc(100vh - 110px); margin-bottom: 14px; background: #fff; border-radius: 14px; box-shadow: 0 12px 40px rgba(0,0,0,.25); display: flex; flex-direction: column; overflow: hidden; }
header { background: var(--accent); color: #fff; padding: 14px 16px; display: flex; align-items: center; gap: 10px; }
header .who { flex: 1; min-width: 0; }
header .title { font-weight: 600; font-size: 16px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
header .status { font-size: 12px; opacity: .9; }
header .status::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: #4ade80; vertical-align: 1px; }
header .status.off::before { background: #d1d5db; }
.min { background: transparent; border: 0; color: #fff; width: 32px; height: 32px; border-radius: 8px; cursor: pointer; font-size: 22px; line-height: 1; }
.min:hover { background: rgba(255,255,255,.15); }
.banner { background: #fef3c7; color: #92400e; font-size: 12px; padding: 6px 16px; }
.log { flex: 1; overflow-y: auto; padding: 16px; display: flex; flex-direction: column; gap: 8px; background: #f9fafb; }
.row { display: flex; flex-direction: column; max-width: 82%; }
.row.in { align-self: flex-end; align-items: flex-end; } .row.out { align-self: flex-start; align-items: flex-start; }
.author { font-size: 11px; color: #6b7280; margin: 0 4px 2px; }
.bubble { padding: 8px 12px; border-radius: 14px; white-space: pre-wrap; word-wrap: break-word; overflow-wrap: anywhere; }
.in .bubble { background: var(--accent); color: #fff; border-bottom-right-radius: 4px; }
.out .bubble { background: #fff; border: 1px solid #e5e7eb; border-bottom-left-radius: 4px; }
.bubble a { color: inherit; text-decoration: underline; }
.bubble img { display: block; max-width: 100%; max-height: 220px; border-radius: 8px; margin-top: 4px; }
.meta { font-size: 11px; color: #6b7280; margin: 2px 4px 0; }
.meta.failed { color: #b91c1c; cursor: pointer; }
.note { font-size: 12px; color: #4b5563; background: #eef2ff; border-radius: 10px; padding: 8px 12px; }
.typing { padding: 0 16px 6px; font-size: 12px; color: #6b7280; background: #f9fafb; }
form.details { padding: 12px 16px; border-top: 1px solid #e5e7eb; display: grid; gap: 8px; }
form.details label { display: grid; gap: 2px; font-size: 12px; color: #374151; }
form.details input { border: 1px solid #d1d5db; border-radius: 8px; padding: 7px 10px; }
.primary { background: var(--accent); color: #fff; border: 0; border-radius: 8px; padding: 8px 12px; cursor: pointer; font-weight: 600; }
.composer { display: flex; align-items: flex-end; gap: 6px; padding: 10px 12px; border-top: 1px solid #e5e7eb; }
.composer textarea { flex: 1; resize: none; border: 1px solid #d1d5db; border-radius: 10px; padding: 8px 10px; max-height: 120px; min-height: 38px; }
.icon { width: 38px; height: 38px; border-radius: 10px; border: 0; background: transparent; cursor: pointer; display: grid; place-items: center; color: #4b5563; flex: none; }
.icon:hover { background: #f3f4f6; }
.icon svg { width: 20px; height: 20px; fill: currentColor; }
.icon.send { color: var(--accent); }
.error { color: #b91c1c; font-size: 12px; padding: 0 16px 8px; }
@media (max-width: 480px) { .pw { bottom: 12px; } .pw.right { right: 12px; } .pw.left { left: 12px; } .panel { width: calc(100vw - 24px); height: calc(100vh - 96px); } }
`;

export function styleSheet(accent: string): CSSStyleSheet {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css + `\n.pw { --accent: ${/^#[0-9a-f]{6}$/i.test(accent) ? accent : "#2563eb"}; }`);
  return sheet;
}
