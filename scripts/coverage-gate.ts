/**
 * Reads the lcov report `bun test --coverage` writes and fails when the lines of server/ and routers/
 * together are covered below the floor. Usage: bun scripts/coverage-gate.ts [coverage/lcov.info] [0.85]
 */
import { argv } from "node:process";

const [path = "coverage/lcov.info", floorText = "0.85"] = argv.slice(2);
const floor = Number(floorText);
const gated = (file: string) => file.startsWith("server/") || file.startsWith("routers/");

let file = "";
let found = 0;
let hit = 0;
const files = new Set<string>();
for (const line of (await Bun.file(path).text()).split("\n")) {
  if (line.startsWith("SF:")) file = line.slice(3);
  else if (gated(file) && line.startsWith("LF:")) {
    found += Number(line.slice(3));
    files.add(file);
  } else if (gated(file) && line.startsWith("LH:")) hit += Number(line.slice(3));
}

if (found === 0) {
  console.error(`coverage: no lines of server/ or routers/ in ${path}`);
  process.exit(1);
}
const ratio = hit / found;
const figure = `${(ratio * 100).toFixed(2)} % of ${found} lines in ${files.size} files of server/ and routers/`;
if (ratio < floor) {
  console.error(`coverage: ${figure}, below the floor of ${(floor * 100).toFixed(0)} %`);
  process.exit(1);
}
console.log(`coverage: ${figure} (floor ${(floor * 100).toFixed(0)} %)`);
