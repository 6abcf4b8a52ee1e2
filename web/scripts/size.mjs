// Prints the gzipped size of the agent app and fails the build when it
// exceeds the budget (250 KB of JavaScript, gzipped).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const budget = 250 * 1024;
const dir = new URL("../dist/agent/assets/", import.meta.url);
let js = 0;
for (const name of readdirSync(dir).sort()) {
  const bytes = readFileSync(join(dir.pathname, name));
  const gz = gzipSync(bytes, { level: 9 }).length;
  if (name.endsWith(".js")) js += gz;
  console.log(`${name.padEnd(32)} ${(bytes.length / 1024).toFixed(1).padStart(7)} KB  ${(gz / 1024).toFixed(1).padStart(6)} KB gzip`);
}
console.log(`agent JavaScript: ${(js / 1024).toFixed(1)} KB gzip (budget ${budget / 1024} KB)`);
if (js > budget) {
  console.error("agent JavaScript exceeds its budget");
  process.exit(1);
}
