// The parts of an inbound e-mail beyond its new text: the subject and other
// recipients above it, and the folded quoted history, signature and the
// original (full text and HTML) behind toggles, so the thread reads like a
// chat while nothing the customer sent is out of reach.
import { useState } from "preact/hooks";
import { t, type MessageKey } from "../i18n";
import type { Message } from "../types";

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
      {md.email_html && <MailHTML html={md.email_html} />}
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
function MailHTML({ html }: { html: string }) {
  const [images, setImages] = useState(false);
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
