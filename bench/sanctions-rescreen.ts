/**
 * Rescreening every customer when the sanctions list changes: 10,000 verified customers against a 20,000-entry
 * list (a full rescreen), then against the 200 entries a new version adds (what the refresh cron triggers).
 *
 *   bun bench/sanctions-rescreen.ts [customers=10000] [entries=20000] [batch=500] [postgres-url]
 *
 * Runs the real job function (`runRescreen`) on the embedded database, or on Postgres when a URL is given (a
 * scratch database is created on that server and dropped after). Customers and list are synthetic and seeded;
 * 1 % of the customers carry a listed name (a letter changed or words swapped), so hits are real hits. Prints
 * the wall time of each pass, customers per second, this process's CPU time (on the embedded database that
 * includes the database's work; the machine is shared, so wall time varies with its load), and the hits found.
 */

import { randomBytes } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import postgres from "postgres";
import { connectDatabase, type DatabaseConnection, migrateDatabase } from "../db/client";
import { kycApplications, sanctionsRescreens, users } from "../db/schema";
import { installAuditKey } from "../server/audit/key";
import { runRescreen } from "../server/compliance/rescreen";
import type { SanctionsEntry } from "../server/compliance/sanctions/types";
import { storeListVersion } from "../server/compliance/sanctions-store";
import { mulberry32 } from "../server/credit/scorecard/split";
import { createLogger } from "../server/logger";
import { capital, nameDraws } from "./lib/synthetic-names";

const CUSTOMERS = Number(process.argv[2] ?? 10_000);
const ENTRIES = Number(process.argv[3] ?? 20_000);
const BATCH = Number(process.argv[4] ?? 500);
const POSTGRES = process.argv[5];
const ADDED = 200;

const random = mulberry32(18);
const { pick, zipf, makeWord, firstNames } = nameDraws(random);
const word = (min: number, max: number) => capital(makeWord(min, max));
const FIRST = firstNames();
const person = () => ({ first: zipf(FIRST), middle: random() < 0.5 ? zipf(FIRST) : null, last: word(2, 4) });
type Person = ReturnType<typeof person>;
const listedName = (p: Person) => `${p.last.toUpperCase()}, ${p.first}${p.middle ? ` ${p.middle}` : ""}`;
const spokenName = (p: Person) => `${p.first}${p.middle ? ` ${p.middle}` : ""} ${p.last}`;
/** One letter changed in the surname, or the words swapped: what screening must still catch. */
const variant = (p: Person) => {
  if (random() < 0.5) return `${p.last} ${p.first}`;
  const at = 1 + Math.floor(random() * (p.last.length - 2));
  return `${p.first} ${p.last.slice(0, at)}${p.last[at] === "a" ? "e" : "a"}${p.last.slice(at + 1)}`;
};

function entries(from: number, count: number): { entries: SanctionsEntry[]; people: Person[] } {
  const people: Person[] = [];
  const list: SanctionsEntry[] = [];
  for (let i = 0; i < count; i++) {
    const p = person();
    people.push(p);
    list.push({
      id: from + i,
      name: listedName(p),
      type: "individual",
      programs: [pick(["SDGT", "CYBER2", "IRAN", "RUSSIA-EO14024"])],
      aliases: random() < 0.3 ? [`${p.last.toUpperCase()}, ${pick(FIRST)}`] : [],
      datesOfBirth: [String(1940 + Math.floor(random() * 60))],
      remarks: null,
    });
  }
  return { entries: list, people };
}

async function scratchPostgres(url: string): Promise<{ target: string; drop(): Promise<void> }> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const name = `blockscore_bench_${Date.now()}`;
  await admin.unsafe(`create database "${name}"`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    target: target.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

const scratch = POSTGRES ? await scratchPostgres(POSTGRES) : null;
const connection: DatabaseConnection = await connectDatabase(
  scratch ? { url: scratch.target } : { memory: true },
);
await migrateDatabase(connection);
const { db } = connection;
// A throwaway key: the bench's audit entries are discarded with its database.
installAuditKey(randomBytes(32).toString("hex"));
const meta = { actorId: null, ip: null, requestId: "bench" };
const logger = createLogger({ LOG_LEVEL: "warn", NODE_ENV: "production" });

const first = entries(1, ENTRIES);
const list = (items: SanctionsEntry[]) => ({
  entries: items,
  count: items.length,
  loadedAt: new Date(),
  skippedRows: 0,
});
await storeListVersion(
  db,
  { jobs: null },
  { list: list(first.entries), source: "bench", trigger: "start", meta },
);

// 1 % of the customers carry a variant of a listed name; the rest are new names.
const hitsPlanted = Math.round(CUSTOMERS / 100);
const started = performance.now();
for (let start = 0; start < CUSTOMERS; start += 1000) {
  const count = Math.min(1000, CUSTOMERS - start);
  const rows = await db
    .insert(users)
    .values(
      Array.from({ length: count }, (_, i) => ({
        email: `customer-${start + i}@bench.test`,
        name: "Customer",
        passwordHash: "-",
      })),
    )
    .returning({ id: users.id });
  await db.insert(kycApplications).values(
    rows.map(({ id }, i) => ({
      userId: id,
      legalName: start + i < hitsPlanted ? variant(pick(first.people)) : spokenName(person()),
      dateOfBirth: "1980-01-01",
      country: "DE",
      address: "Bench Street 1",
      documentType: "passport" as const,
      documentNumberLast4: "0001",
      status: "verified" as const,
      checks: [],
    })),
  );
}
console.log(
  `setup: ${ENTRIES} entries stored, ${CUSTOMERS} customers in ${((performance.now() - started) / 1000).toFixed(1)} s (${connection.driver})`,
);

async function timed(label: string, versionId: number, entryIds: number[] | null) {
  const [row] = await db
    .insert(sanctionsRescreens)
    .values({ versionId, scope: entryIds ? "changes" : "full", entryIds })
    .returning({ id: sanctionsRescreens.id });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const done = await runRescreen(
    db,
    { logger, threshold: 0.9, batchSize: BATCH },
    { rescreenId: row?.id as string },
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `${label.padEnd(44)} ${seconds.toFixed(1).padStart(7)} s  ${Math.round(done.screened / seconds)
      .toString()
      .padStart(
        6,
      )} customers/s  (this process's CPU ${cpuSeconds.toFixed(1)} s)  screened ${done.screened}  hits ${done.hits}`,
  );
}

await timed(`full: ${CUSTOMERS} customers x ${ENTRIES} entries`, 1, null);

// Version 2 adds 200 entries, a tenth of them the names of customers who were clean until now.
const added = entries(ENTRIES + 1, ADDED);
const clean = await db
  .select({ legalName: kycApplications.legalName })
  .from(kycApplications)
  .where(eq(kycApplications.status, "verified"))
  .orderBy(desc(kycApplications.seq))
  .limit(ADDED / 10);
clean.forEach((customer, i) => {
  const [firstName, ...rest] = customer.legalName.split(" ");
  (added.entries[i] as SanctionsEntry).name = `${rest.join(" ").toUpperCase()}, ${firstName}`;
});
const stored = await storeListVersion(
  db,
  { jobs: null },
  { list: list([...first.entries, ...added.entries]), source: "bench", trigger: "cron", meta },
);
await timed(
  `changes: ${CUSTOMERS} customers x ${stored.version.added} added entries`,
  stored.version.id,
  added.entries.map((entry) => entry.id),
);
await connection.close();
await scratch?.drop();
