// Prints the widget's size and fails the build above the budget.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET = 60 * 1024;
const raw = readFileSync(new URL("../dist/widget.js", import.meta.url));
const gz = gzipSync(raw, { level: 9 }).length;
console.log(`widget.js: ${raw.length} bytes, ${gz} bytes gzipped (budget ${BUDGET})`);
if (gz > BUDGET) {
  console.error("widget.js is over its size budget");
  process.exit(1);
}
