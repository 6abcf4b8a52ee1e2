// Files agents attach to replies: the channel's rules checked before any
// upload, then the upload itself with progress (XMLHttpRequest: fetch
// reports no upload progress). The server stays the authority: 413 means
// the file is larger than the node accepts.
import { ApiError, isMissingEndpoint, onUnauthorized } from "./api";
import { t, type MessageKey } from "./i18n";
import type { MediaKind, PlatformInfo } from "./platforms";
import { createStore } from "./store";
import type { Attachment } from "./types";

/** uploadsAvailable turns false once the node answers that it has no upload endpoint. */
export const uploadsAvailable = createStore(true);

export function mediaKind(contentType: string): MediaKind {
  const top = contentType.split("/")[0];
  return top === "image" || top === "video" || top === "audio" ? top : "file";
}

export function formatBytes(n: number): string {
  if (n < 1024) return n + " B";
  if (n < 1024 * 1024) return (n / 1024).toFixed(0) + " KB";
  return (n / 1024 / 1024).toFixed(1).replace(/\.0$/, "") + " MB";
}

/** checkFile says why the channel would refuse the file, or returns null when it accepts it. */
export function checkFile(info: PlatformInfo, file: { type: string; size: number }, alreadyAttached: number): string | null {
  const media = info.media;
  if (!media) return t("upload.noFiles", { channel: info.name });
  if (alreadyAttached >= media.maxFiles) return t("upload.tooMany", { channel: info.name, max: media.maxFiles });
  const kind = mediaKind(file.type || "application/octet-stream");
  const rule = media.kinds[kind];
  if (!rule) return t("upload.kindRefused", { channel: info.name, kind: t(("attachment." + kind) as MessageKey) });
  if (rule.types && !rule.types.includes(file.type)) {
    return t("upload.typeRefused", { channel: info.name, types: rule.types.map(shortType).join(", ") });
  }
  if (file.size > rule.maxBytes) return t("upload.tooLarge", { channel: info.name, max: formatBytes(rule.maxBytes) });
  return null;
}

/** rulesText states the channel's rules in one line: "images ≤ 5 MB (JPEG, PNG) · video ≤ 16 MB …". */
export function rulesText(info: PlatformInfo): string {
  const media = info.media;
  if (!media) return t("upload.noFiles", { channel: info.name });
  const rules = Object.values(media.kinds);
  if (rules.length === 4 && rules.every((r) => !r.types && r.maxBytes === rules[0].maxBytes)) {
    return t("upload.rules", { channel: info.name, rules: t("upload.ruleAny", { max: formatBytes(rules[0].maxBytes) }), max: media.maxFiles });
  }
  const parts = (Object.entries(media.kinds) as [MediaKind, { maxBytes: number; types?: string[] }][]).map(([kind, r]) =>
    t("upload.rule", { kind: t(("upload.kind." + kind) as MessageKey), max: formatBytes(r.maxBytes) }) +
    (r.types ? " (" + [...new Set(r.types.map(shortType))].join(", ") + ")" : ""));
  return t("upload.rules", { channel: info.name, rules: parts.join(" · "), max: media.maxFiles });
}

function shortType(mime: string): string {
  const sub = mime.split("/")[1] ?? mime;
  return sub.replace(/^x-/, "").replace("quicktime", "mov").toUpperCase();
}

/** An uploaded file as the server describes it; sent back as one of a reply's attachments. */
export interface Uploaded extends Attachment {
  storage_key: string;
  url: string;
}

/** upload sends one file; onProgress gets the fraction sent (0–1). */
export function upload(file: File, onProgress: (f: number) => void): { done: Promise<Uploaded>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Uploaded>((resolve, reject) => {
    xhr.open("POST", "/api/v1/uploads");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, "network", t("error.network")));
    xhr.onabort = () => reject(new ApiError(0, "aborted", "aborted"));
    xhr.onload = () => {
      let data: any;
      try {
        data = JSON.parse(xhr.responseText || "null");
      } catch {
        data = null;
      }
      if (xhr.status === 201 || xhr.status === 200) return resolve(data as Uploaded);
      if (xhr.status === 401) onUnauthorized();
      const message = xhr.status === 413 ? t("upload.serverTooLarge") : data?.error?.message ?? xhr.statusText;
      const err = new ApiError(xhr.status, data?.error?.code ?? "http_" + xhr.status, message);
      if (isMissingEndpoint(err)) uploadsAvailable.set(false);
      reject(err);
    };
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
