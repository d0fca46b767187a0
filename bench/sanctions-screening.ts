/**
 * Sanctions screening latency on a list of 20,000 synthetic entries.
 *
 *   bun bench/sanctions-screening.ts [entries=20000] [queries=2000] [seed=42]
 *
 * The list is generated deterministically (seeded PRNG) in the SDN.CSV / ALT.CSV format and read by the
 * real parser: 60 % individuals ("LAST, First Middle", first names drawn with a skew so the commonest is
 * in about 6 % of names, like the Muhammad variants on the real list), 30 % entities, 10 % vessels, a third of the entries with aliases. Queries are
 * half variants of listed names (a letter changed, words swapped, accents added) and half unlisted names.
 * Prints the CSV parse and index build times, the median / p99 / max time of one screening, how many
 * listed names blocking left to score, the recall on the variants, and whether blocking agreed with an
 * exhaustive scan on a sample.
 */
import { parseSanctionsList } from "../server/compliance/sanctions/ofac-csv";
import { buildScreeningIndex, screenName } from "../server/compliance/sanctions/screen";
import { DEFAULT_SCREENING_THRESHOLD } from "../server/config";
import { mulberry32 } from "../server/credit/scorecard/split";
import { ms, quantileOf } from "./lib/stats";
import { capital, nameDraws } from "./lib/synthetic-names";

const ENTRIES = Number(process.argv[2] ?? 20_000);
const QUERIES = Number(process.argv[3] ?? 2_000);
const SEED = Number(process.argv[4] ?? 42);

const random = mulberry32(SEED);
const { pick, zipf, makeWord, firstNames } = nameDraws(random);
const WORDS = (
  "trading global holdings shipping petro energy bank industrial logistics group capital marine " +
  "investment services technologies mining metals export import finance general international united " +
  "star ocean crescent eagle northern southern eastern western precision aviation chemical"
).split(" ");

const FIRST_NAMES = firstNames();

type Person = { first: string; middle: string | null; last: string };
const makePerson = (): Person => ({
  first: zipf(FIRST_NAMES),
  middle: random() < 0.5 ? zipf(FIRST_NAMES) : null,
  last: `${makeWord(2, 4).toUpperCase()}${random() < 0.15 ? `-${makeWord(2, 3).toUpperCase()}` : ""}`,
});
const listed = (p: Person) => `${p.last}, ${p.first}${p.middle ? ` ${p.middle}` : ""}`;
const spoken = (p: Person) => `${p.first}${p.middle ? ` ${p.middle}` : ""} ${capital(p.last.toLowerCase())}`;
const q = (text: string) => `"${text}"`;
const EMPTY = "-0- ";

const sdnRows: string[] = [];
const altRows: string[] = [];
const queryable: { id: number; name: string }[] = [];
let altNum = 1;
for (let i = 0; i < ENTRIES; i++) {
  const id = 100_000 + i;
  const roll = random();
  const program = pick(["SDGT", "CYBER2", "IRAN", "RUSSIA-EO14024", "SDGT] [IRGC", "NPWMD] [IFSR"]);
  if (roll < 0.6) {
    const person = makePerson();
    const dob = `DOB ${String(1 + Math.floor(random() * 28)).padStart(2, "0")} ${pick(["Jan", "Mar", "Jun", "Sep", "Nov"])} ${1940 + Math.floor(random() * 60)}`;
    sdnRows.push(
      [
        id,
        q(listed(person)),
        q("individual"),
        q(program),
        EMPTY,
        EMPTY,
        EMPTY,
        EMPTY,
        EMPTY,
        EMPTY,
        EMPTY,
        q(`${dob}; Gender Male.`),
      ].join(","),
    );
    queryable.push({ id, name: spoken(person) });
    if (random() < 0.33) {
      const alias = { ...person, first: zipf(FIRST_NAMES), middle: null };
      altRows.push([id, altNum++, q("aka"), q(listed(alias)), EMPTY].join(","));
    }
  } else if (roll < 0.9) {
    const name = [makeWord(2, 3), pick(WORDS), pick(WORDS)].map((w) => w.toUpperCase()).join(" ");
    sdnRows.push(
      [id, q(`${name} LLC`), EMPTY, q(program), ...Array(7).fill(EMPTY), q("Website example.invalid.")].join(
        ",",
      ),
    );
    queryable.push({ id, name });
    if (random() < 0.33)
      altRows.push(
        [
          id,
          altNum++,
          q("aka"),
          q(`${makeWord(2, 3).toUpperCase()} ${pick(WORDS).toUpperCase()}`),
          EMPTY,
        ].join(","),
      );
  } else {
    const name = `${makeWord(2, 3)} ${pick(WORDS)}`.toUpperCase();
    sdnRows.push(
      [
        id,
        q(name),
        q("vessel"),
        q(program),
        EMPTY,
        q("9HA0000"),
        q("Crude Oil Tanker"),
        q("150,000"),
        q("80,000"),
        q("Panama"),
        EMPTY,
        EMPTY,
      ].join(","),
    );
    queryable.push({ id, name });
  }
}
const sdnCsv = `${sdnRows.join("\r\n")}\r\n\u001a`;
const altCsv = `${altRows.join("\r\n")}\r\n\u001a`;

function variant(name: string): string {
  const words = name.split(" ");
  const kind = random();
  if (kind < 0.4) {
    // one letter changed inside the longest word
    const at = words.reduce((best, w, i) => (w.length > (words[best] as string).length ? i : best), 0);
    const word = words[at] as string;
    const position = 1 + Math.floor(random() * (word.length - 2));
    const letter = "abcdefghijklmnopqrstuvwxyz"[Math.floor(random() * 26)] as string;
    words[at] =
      word.slice(0, position) + (word[position] === letter ? "x" : letter) + word.slice(position + 1);
    return words.join(" ");
  }
  if (kind < 0.7) return [...words].reverse().join(" ");
  return words.map((w) => w.replace(/a/, "á").replace(/e/, "é")).join(" ");
}

const queries: { name: string; expect: number | null }[] = [];
for (let i = 0; i < QUERIES; i++) {
  if (i % 2 === 0) {
    const target = pick(queryable);
    queries.push({ name: variant(target.name), expect: target.id });
  } else {
    const person = makePerson();
    queries.push({ name: spoken(person), expect: null });
  }
}

let t0 = Bun.nanoseconds();
const list = parseSanctionsList(sdnCsv, altCsv);
const parseNs = Bun.nanoseconds() - t0;
t0 = Bun.nanoseconds();
const index = buildScreeningIndex(list);
const buildNs = Bun.nanoseconds() - t0;

// Warm-up, so the JIT has compiled the hot paths before timing.
for (const query of queries.slice(0, 200)) screenName(index, { name: query.name });

const timings: number[] = [];
const candidateCounts: number[] = [];
let found = 0;
let variants = 0;
let flaggedNew = 0;
for (const query of queries) {
  const start = Bun.nanoseconds();
  const result = screenName(index, { name: query.name, dateOfBirth: "1970-01-01" });
  timings.push(Bun.nanoseconds() - start);
  candidateCounts.push(result.candidates);
  if (query.expect !== null) {
    variants++;
    if (result.matches.some((match) => match.entryId === query.expect)) found++;
  } else if (result.matches.length > 0) {
    flaggedNew++;
  }
}

const sample = queries.slice(0, 100);
let agree = 0;
const exhaustiveTimings: number[] = [];
for (const query of sample) {
  const fast = screenName(index, { name: query.name }).matches.map((m) => `${m.entryId}:${m.score}`);
  const start = Bun.nanoseconds();
  const full = screenName(index, { name: query.name }, { exhaustive: true }).matches.map(
    (m) => `${m.entryId}:${m.score}`,
  );
  exhaustiveTimings.push(Bun.nanoseconds() - start);
  if (fast.join() === full.join()) agree++;
}

console.log(
  `Sanctions screening bench (Bun ${Bun.version}, seed ${SEED}, threshold ${DEFAULT_SCREENING_THRESHOLD})`,
);
console.log(
  `  list:        ${list.count} entries, ${index.nameCount} names with aliases, ${index.vocabulary.length} distinct words`,
);
console.log(`  parse CSV:   ${ms(parseNs)}`);
console.log(`  build index: ${ms(buildNs)}`);
console.log(`  screenings:  ${timings.length}`);
console.log(
  `    median ${ms(quantileOf(timings, 0.5))}   p99 ${ms(quantileOf(timings, 0.99))}   max ${ms(Math.max(...timings))}`,
);
console.log(
  `    names scored after blocking: median ${quantileOf(candidateCounts, 0.5)}, p99 ${quantileOf(candidateCounts, 0.99)}`,
);
console.log(
  `  recall on variants of listed names: ${found}/${variants} (${((100 * found) / variants).toFixed(1)} %)`,
);
console.log(`  unlisted names flagged at the threshold: ${flaggedNew}/${QUERIES - variants}`);
console.log(
  `  blocking vs exhaustive scan, ${sample.length} queries: same matches for ${agree}; exhaustive median ${ms(quantileOf(exhaustiveTimings, 0.5))}`,
);
