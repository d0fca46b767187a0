/**
 * Runs the loans delinquency pass once, now, against the configured database: `bun run jobs:run`.
 * `--now 2026-03-01T00:00:00Z` runs it as of another time (to see what tomorrow's run would do).
 * On the embedded database it must run while the server is stopped (PGlite is single-process).
 * With a chain configured, the status changes it makes are queued for anchoring like the server's.
 */
import { parseArgs } from "node:util";
import { connectDatabase, migrateDatabase } from "../db/client";
import { installAuditKey } from "../server/audit/key";
import { createChainService } from "../server/chain/connection";
import { ConfigError, loadConfig } from "../server/config";
import { claimDataDir } from "../server/data-dir-lock";
import { databaseTarget } from "../server/database-target";
import { createJobs, type Jobs } from "../server/jobs/jobs";
import { DELINQUENCY_QUEUE, delinquencyPolicy, runDelinquency } from "../server/loans/delinquency-job";
import { createLogger } from "../server/logger";
import { withServerKeys } from "../server/server-keys";

const usage = "usage: bun run jobs:run [delinquency] [--now <ISO date-time>]";

let args: ReturnType<typeof parseArgs<{ options: { now: { type: "string" } }; allowPositionals: true }>>;
try {
  args = parseArgs({ options: { now: { type: "string" } }, allowPositionals: true });
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
const [job = "delinquency", ...extra] = args.positionals;
if (job !== "delinquency" || extra.length > 0) {
  console.error(`Unknown job "${[job, ...extra].join(" ")}"; the only one is delinquency.\n${usage}`);
  process.exit(2);
}
const now = args.values.now === undefined ? new Date() : new Date(args.values.now);
if (Number.isNaN(now.getTime())) {
  console.error(`--now must be an ISO date-time like 2026-03-01T00:00:00Z, got "${args.values.now}"`);
  process.exit(2);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
let release = () => {};
if (!config.DATABASE_URL) {
  try {
    release = claimDataDir(config.DATA_DIR);
  } catch (error) {
    console.error(
      `${(error as Error).message}\nThe embedded database can only be used by one process: stop the server first.`,
    );
    process.exit(1);
  }
}
try {
  // Late and default transitions are audited: chained under the same key as the server's entries.
  installAuditKey(withServerKeys(config).config.AUDIT_HMAC_KEY);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  release();
  process.exit(1);
}

const connection = await connectDatabase(databaseTarget(config));
const chain = createChainService(config);
let jobs: Jobs | null = null;
try {
  await migrateDatabase(connection);
  if (chain) {
    // Only to enqueue anchors in the run's transactions; the server's workers publish them.
    jobs = createJobs(
      connection,
      { ...config, JOBS_ENABLED: false },
      createLogger({ ...config, LOG_LEVEL: "warn" }),
    );
    await jobs.start();
  }
  const meta = { actorId: null, ip: null, requestId: `cli:${DELINQUENCY_QUEUE}` };
  const run = await runDelinquency(connection.db, meta, now, {
    policy: delinquencyPolicy(config),
    outbox: { chain, jobs },
  });
  console.log(
    `delinquency as of ${now.toISOString()}: ${run.loansChecked} overdue loan(s) checked, ` +
      `${run.instalmentsMarkedLate} instalment(s) marked late, ${run.defaultedLoanIds.length} loan(s) defaulted`,
  );
  for (const id of run.defaultedLoanIds) console.log(`  defaulted ${id}`);
  for (const failure of run.failures) console.error(`  failed ${failure.loanId}: ${failure.error}`);
  if (run.failures.length > 0) process.exitCode = 1;
} finally {
  await jobs?.stop();
  await connection.close();
  release();
}
