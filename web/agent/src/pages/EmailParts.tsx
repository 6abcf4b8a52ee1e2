// The parts of an inbound e-mail beyond its new text: the subject and other
// recipients above it, and the folded quoted history, signature and the
// original (full text and HTML) behind toggles, so the thread reads like a
// chat while nothing the customer sent is out of reach.
import { useEffect, useState } from "preact/hooks";
import { t, type MessageKey } from "../i18n";
import type { Attachment, Message } from "../types";

/** EmailHeader is the small line with a mail's subject and Cc; nothing for other messages. */
export function EmailHeader({ m }: { m: Message }) {
  const subject = m.metadata?.email_subject;
  const cc = m.metadata?.email_cc;
  if (m.platform !== "email" || (!subject && !cc)) return null;
  return (
    <div class="mail-head">
      {subject && <span class="mail-subject"><span class="muted">{t("mail.subject")}</span> {subject}</span>}
      {cc && <span class="mail-cc"><span class="muted">{t("mail.cc")}</span> {cc}</span>}
    </div>
  );
}

type Part = "quoted" | "signature" | "original";

/** EmailFolds offers the folded parts of a mail; each toggle unfolds one. */
export function EmailFolds({ m }: { m: Message }) {
  const [open, setOpen] = useState<Record<Part, boolean>>({ quoted: false, signature: false, original: false });
  const md = m.metadata ?? {};
  if (m.platform !== "email") return null;
  const parts: Part[] = [];
  if (md.email_quoted) parts.push("quoted");
  if (md.email_signature) parts.push("signature");
  if (md.email_full_text || md.email_html) parts.push("original");
  if (parts.length === 0) return null;
  const toggle = (p: Part) => setOpen({ ...open, [p]: !open[p] });
  return (
    <div class="mail-folds">
      <div class="mail-toggles">
        {parts.map((p) => (
          <button type="button" class="link-btn" data-part={p} aria-expanded={open[p]} onClick={() => toggle(p)}>
            {t(("mail." + (open[p] ? "hide." : "show.") + p) as MessageKey)}
          </button>
        ))}
      </div>
      {open.quoted && <pre class="mail-part mail-quoted">{md.email_quoted}</pre>}
      {open.signature && <pre class="mail-part mail-signature">{md.email_signature}</pre>}
      {open.original && <Original m={m} />}
    </div>
  );
}

function Original({ m }: { m: Message }) {
  const md = m.metadata ?? {};
  return (
    <div class="mail-original">
      {md.email_full_text && <pre class="mail-part mail-full">{md.email_full_text}</pre>}
      {md.email_html && <MailHTML html={md.email_html} attachments={m.attachments ?? []} />}
    </div>
  );
}

const remoteImage = /<img\b[^>]*\bsrc\s*=\s*["']?\s*(https?:)?\/\//i;

/**
 * MailHTML renders the sanitised HTML in an iframe that may run nothing
 * (sandbox="": no scripts, no forms, an opaque origin that reaches neither
 * the session nor the page) under a CSP that loads no remote images until
 * the agent asks: a remote image is how a sender learns the mail was read.
 * The server blanks remote images already; this is the second layer.
 */
function MailHTML({ html: raw, attachments }: { html: string; attachments: Attachment[] }) {
  const [images, setImages] = useState(false);
  const html = useInlineImages(raw, attachments);
  const remote = remoteImage.test(html);
  const csp = "default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:" + (images ? " https: http:" : "");
  const doc = `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}">` +
    `<meta name="referrer" content="no-referrer"><base target="_blank">` +
    `<style>body{font:14px/1.5 system-ui,sans-serif;margin:8px;color:#1f2330;overflow-wrap:anywhere}img{max-width:100%;height:auto}</style>` + html;
  return (
    <div class="mail-html">
      {remote && !images && (
        <p class="mail-images muted">
          {t("mail.imagesBlocked")}
          <button type="button" class="btn small" onClick={() => setImages(true)}>{t("mail.loadImages")}</button>
        </p>
      )}
      <iframe sandbox="" srcdoc={doc} title={t("mail.htmlTitle")} referrerpolicy="no-referrer" />
    </div>
  );
}

const cidRef = /(\bsrc\s*=\s*["']?)cid:([^"'\s>]+)/gi;
const maxInlineBytes = 2 << 20;

/**
 * useInlineImages puts the mail's own inline pictures (cid: parts, stored as
 * the message's attachments) into its HTML as data: URLs: the sandboxed frame
 * has no origin and so no session to fetch them with, and they are part of
 * the mail, not a sender's beacon, so they show without asking.
 */
function useInlineImages(html: string, attachments: Attachment[]): string {
  const [resolved, setResolved] = useState<Record<string, string>>({});
  useEffect(() => {
    let live = true;
    const wanted = new Set([...html.matchAll(cidRef)].map((m) => m[2]));
    const parts = attachments.filter((a) => a.storage_key && a.platform_id?.startsWith("cid:") && wanted.has(a.platform_id.slice(4)) &&
      (a.content_type ?? "").startsWith("image/") && (a.size ?? 0) <= maxInlineBytes);
    Promise.all(parts.map(async (a) => {
      const res = await fetch("/api/v1/files/" + encodeURIComponent(a.storage_key!), { credentials: "same-origin" });
      if (!res.ok) return null;
      return [a.platform_id!.slice(4), await dataURL(await res.blob())] as const;
    }).map((p) => p.catch(() => null))).then((pairs) => {
      if (live) setResolved(Object.fromEntries(pairs.filter((p): p is readonly [string, string] => !!p)));
    });
    return () => {
      live = false;
    };
  }, [html, attachments.map((a) => (a.platform_id ?? "") + "=" + (a.storage_key ?? "")).join(" ")]); // by content: the array is new on every render
  return html.replace(cidRef, (whole, lead: string, id: string) => (resolved[id]?.startsWith("data:image/") ? lead + resolved[id] : whole));
}

function dataURL(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}
