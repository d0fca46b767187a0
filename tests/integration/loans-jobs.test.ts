import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { connectDatabase, type DatabaseConnection, migrateDatabase } from "../../db/client";
import { loans } from "../../db/schema";
import { amlConfig } from "../../server/compliance/aml/monitoring";
import { createJobs, type Jobs } from "../../server/jobs/jobs";
import { DELINQUENCY_QUEUE, startDelinquencySchedule } from "../../server/loans/delinquency-job";
import { approveLoan, disburseLoan } from "../../server/loans/workflow";
import { createLogger } from "../../server/logger";
import { callerFor, testDeps } from "../helpers/app";
import { waitFor } from "../helpers/chain";
import { createTestDatabase, testDatabaseUrl } from "../helpers/database";
import { LOAN_TEST_OVERRIDES, makeApplicant, makeStaff, newKey } from "../helpers/loans";

const driver = testDatabaseUrl ? "postgres" : "pglite";
const DAY = 86_400_000;
const system = { actorId: null, ip: null, requestId: "test" };

/** An applicant with a 1,000.00 loan paid out `daysAgo` days ago, on the given database. */
async function overdueLoan(connection: DatabaseConnection, daysAgo: number): Promise<string> {
  const deps = await testDeps(LOAN_TEST_OVERRIDES, { connection });
  const applicant = await makeApplicant(deps);
  const underwriter = await makeStaff(deps);
  const disburser = await makeStaff(deps, "admin");
  const caller = await callerFor(deps, { token: applicant.token, idempotencyKey: newKey() });
  const loan = await caller.loans.submit({ amount: "1000", termMonths: 12, purpose: "Car repair" });
  const at = new Date(Date.now() - daysAgo * DAY);
  await approveLoan(deps.db, system, {}, underwriter.user, { loanId: loan.id, now: at });
  const disburseDeps = { outbox: {}, aml: amlConfig(deps.config), fourEyes: true };
  await disburseLoan(deps.db, system, disburseDeps, disburser.user, { loanId: loan.id, now: at });
  return loan.id;
}

describe(`the delinquency cron schedule (${driver})`, () => {
  let connection: DatabaseConnection;
  let jobs: Jobs;

  beforeAll(async () => {
    connection = await createTestDatabase();
    jobs = createJobs(
      connection,
      { JOBS_ENABLED: true, JOBS_POLL_INTERVAL_SECONDS: 0.5 },
      createLogger({ LOG_LEVEL: "silent", NODE_ENV: "test" }),
    );
    await jobs.start();
  });
  afterAll(async () => {
    await jobs?.stop();
    await connection?.close();
  });

  it("is stored once as a pg-boss schedule, and its worker defaults an overdue loan", async () => {
    const loanId = await overdueLoan(connection, 200);
    const deps = await testDeps(
      { ...LOAN_TEST_OVERRIDES, LOAN_DELINQUENCY_CRON: "30 1 * * *" },
      { connection },
    );
    // Two instances starting: still one schedule.
    await startDelinquencySchedule({ ...deps, jobs });
    await startDelinquencySchedule({ ...deps, jobs });
    const schedules = await jobs.boss.getSchedules(DELINQUENCY_QUEUE);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ name: DELINQUENCY_QUEUE, cron: "30 1 * * *", timezone: "UTC" });

    // What the cron pass sends at 01:30 UTC, sent now.
    const jobId = await jobs.boss.send(DELINQUENCY_QUEUE, {});
    await waitFor("the delinquency job to complete", async () => {
      const [job] = await jobs.boss.findJobs(DELINQUENCY_QUEUE, { id: jobId as string });
      return job?.state === "completed" ? job : undefined;
    });
    const [row] = await connection.db
      .select({ status: loans.status })
      .from(loans)
      .where(eq(loans.id, loanId));
    expect(row?.status).toBe("defaulted");
  });
});

describe("jobs:run command", () => {
  function runJobs(args: string[], env: Record<string, string>) {
    return Bun.spawnSync(["bun", "scripts/jobs-run.ts", ...args], {
      cwd: join(import.meta.dir, "../.."),
      env: { ...process.env, DATABASE_URL: "", LOG_LEVEL: "silent", ...env },
    });
  }

  it("runs the delinquency pass once against the embedded database, with a moved clock", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "blockscore-jobs-"));
    const connection = await connectDatabase({ dataDir });
    await migrateDatabase(connection);
    const loanId = await overdueLoan(connection, 40);
    await connection.close();

    // Paid out 40 days ago; 120 days on, its first instalments are far past the 90 days that default it.
    const later = runJobs(["delinquency", "--now", new Date(Date.now() + 120 * DAY).toISOString()], {
      DATA_DIR: dataDir,
    });
    expect(later.stderr.toString()).toBe("");
    expect(later.exitCode).toBe(0);
    expect(later.stdout.toString()).toContain(
      "1 overdue loan(s) checked, 5 instalment(s) marked late, 1 loan(s) defaulted",
    );
    expect(later.stdout.toString()).toContain(`defaulted ${loanId}`);

    const reopened = await connectDatabase({ dataDir });
    const [row] = await reopened.db.select({ status: loans.status }).from(loans).where(eq(loans.id, loanId));
    await reopened.close();
    expect(row?.status).toBe("defaulted");
  }, 120_000);

  it("refuses a data folder a running server holds, and a bad clock", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "blockscore-jobs-"));
    expect(runJobs(["--now", "yesterday"], { DATA_DIR: dataDir }).exitCode).toBe(2);
    writeFileSync(join(dataDir, "server.pid"), String(process.pid));
    const held = runJobs([], { DATA_DIR: dataDir });
    expect(held.exitCode).toBe(1);
    expect(held.stderr.toString()).toContain("in use");
  });
});
