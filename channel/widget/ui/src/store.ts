// The visitor token survives page loads in localStorage (per channel);
// where storage is unavailable (privacy modes) it lives in memory.
const memory: Record<string, string> = {};

export function load(key: string): string {
  try {
    return localStorage.getItem(key) ?? memory[key] ?? "";
  } catch {
    return memory[key] ?? "";
  }
}

export function save(key: string, value: string): void {
  memory[key] = value;
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    /* storage refused: memory only */
  }
}

export function newId(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
