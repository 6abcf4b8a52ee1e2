// The files of a reply being written: picked, dropped or pasted; checked
// against the channel's rules before uploading; uploaded with progress;
// removable until sent.
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n";
import type { PlatformInfo } from "../platforms";
import { useStore } from "../store";
import { checkFile, formatBytes, mediaKind, rulesText, upload, uploadsAvailable, type Uploaded } from "../uploads";
import { Icon } from "../ui/icons";

export interface PendingFile {
  id: number;
  name: string;
  size: number;
  kind: string;
  preview?: string; // object URL of a picked image
  progress: number;
  state: "uploading" | "done" | "refused" | "failed";
  error?: string;
  result?: Uploaded;
  abort?: () => void;
}

let seq = 0;

/** useFiles holds the files of one draft and the actions on them. */
export function useFiles(info: PlatformInfo, initial: PendingFile[] = []) {
  const [files, setFiles] = useState<PendingFile[]>(initial);
  const latest = useRef(files);
  latest.current = files;
  const patch = (id: number, p: Partial<PendingFile>) => setFiles((fs) => fs.map((f) => (f.id === id ? { ...f, ...p } : f)));
  const add = (picked: File[]) => {
    let accepted = latest.current.filter((f) => f.state !== "refused" && f.state !== "failed").length;
    const next: PendingFile[] = [];
    for (const file of picked) {
      const id = ++seq;
      const refusal = checkFile(info, file, accepted);
      const kind = mediaKind(file.type);
      const entry: PendingFile = { id, name: file.name || t("attachment." + kind as "attachment.file"), size: file.size, kind, progress: 0, state: refusal ? "refused" : "uploading", error: refusal ?? undefined };
      if (!refusal) {
        accepted++;
        if (kind === "image") entry.preview = URL.createObjectURL(file);
        const up = upload(file, (p) => patch(id, { progress: p }));
        entry.abort = up.abort;
        up.done.then(
          (result) => patch(id, { state: "done", progress: 1, result, abort: undefined }),
          (e) => e.code !== "aborted" && patch(id, { state: "failed", error: e.message, abort: undefined }),
        );
      }
      next.push(entry);
    }
    setFiles((fs) => [...fs, ...next]);
  };
  const remove = (id: number) => {
    const f = latest.current.find((x) => x.id === id);
    f?.abort?.();
    if (f?.preview) URL.revokeObjectURL(f.preview);
    setFiles((fs) => fs.filter((x) => x.id !== id));
  };
  const clear = () => setFiles([]);
  const uploading = files.some((f) => f.state === "uploading");
  const ready = files.filter((f) => f.state === "done").map((f) => f.result!);
  return { files, add, remove, clear, uploading, ready };
}

/** FileChips shows the draft's files with progress, the reason a file was refused, and a remove button each. */
export function FileChips({ files, remove }: { files: PendingFile[]; remove: (id: number) => void }) {
  if (!files.length) return null;
  return (
    <ul class="file-chips" aria-label={t("upload.attached")}>
      {files.map((f) => (
        <li class={"file-chip " + f.state} data-state={f.state}>
          {f.preview ? <img src={f.preview} alt="" /> : <Icon name="file" size={16} />}
          <span class="file-chip-text">
            <span class="att-name" title={f.name}>{f.name}</span>
            <span class="att-size">{formatBytes(f.size)}</span>
            {f.error && <span class="file-chip-error" role="alert">{f.error}</span>}
          </span>
          {f.state === "uploading" && (
            <progress max={1} value={f.progress} aria-label={t("upload.progress", { name: f.name })} />
          )}
          <button type="button" class="tag-x" aria-label={t("upload.remove", { name: f.name })} onClick={() => remove(f.id)}>
            <Icon name="x" size={12} />
          </button>
        </li>
      ))}
    </ul>
  );
}

/** AttachButton opens the file picker; it is hidden when the node has no uploads or the channel takes no files. */
export function AttachButton({ info, onFiles }: { info: PlatformInfo; onFiles: (fs: File[]) => void }) {
  const available = useStore(uploadsAvailable);
  const input = useRef<HTMLInputElement>(null);
  if (!available || !info.media) return null;
  const rules = rulesText(info);
  return (
    <>
      <button type="button" class="btn ghost icon-only attach-btn" aria-label={t("upload.attach")} title={rules} onClick={() => input.current?.click()}>
        <Icon name="clip" />
      </button>
      <input ref={input} type="file" multiple hidden class="attach-input" aria-label={t("upload.attach")}
        onChange={(e) => {
          const picked = [...(e.currentTarget.files ?? [])];
          e.currentTarget.value = "";
          if (picked.length) onFiles(picked);
        }} />
    </>
  );
}

/** useDropTarget reports whether files are dragged over the element and hands dropped files on. */
export function useDropTarget(enabled: boolean, onFiles: (fs: File[]) => void) {
  const [over, setOver] = useState(false);
  const depth = useRef(0);
  useEffect(() => {
    if (!enabled) setOver(false);
  }, [enabled]);
  const hasFiles = (e: DragEvent) => enabled && [...(e.dataTransfer?.types ?? [])].includes("Files");
  return {
    over,
    props: {
      onDragEnter: (e: DragEvent) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setOver(true);
      },
      onDragOver: (e: DragEvent) => hasFiles(e) && e.preventDefault(),
      onDragLeave: () => {
        depth.current = Math.max(0, depth.current - 1);
        if (!depth.current) setOver(false);
      },
      onDrop: (e: DragEvent) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setOver(false);
        onFiles([...(e.dataTransfer?.files ?? [])]);
      },
    },
  };
}
