import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import type { DatabaseConnection } from "../../db/client";
import { creditScores, loans, modelMonitoringRuns } from "../../db/schema";
import type { AppDeps } from "../../server/context";
import { computeScore } from "../../server/credit/engine";
import type { ScoreInputs } from "../../server/credit/inputs";
import {
  MODEL_MONITORING_QUEUE,
  runModelMonitoring,
  startModelMonitoringSchedule,
} from "../../server/credit/monitoring/job";
import { mulberry32 } from "../../server/credit/scorecard/split";
import { createJobs, type Jobs } from "../../server/jobs/jobs";
import { createLogger } from "../../server/logger";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { waitFor } from "../helpers/chain";
import { createTestDatabase, testDatabaseUrl } from "../helpers/database";
import { makeStaff } from "../helpers/loans";
import { capturingLogger } from "../helpers/logs";
import { registerTestUser } from "../helpers/users";
import { HAS_DATA, randomProfiles, realDataset } from "../unit/credit/fixtures";

const driver = testDatabaseUrl ? "postgres" : "pglite";

let deps: AppDeps;
let admin: Awaited<ReturnType<typeof makeStaff>>;
let server: TestServer;
let userId: string;

beforeAll(async () => {
  deps = await testDeps();
  if (deps.scoring.engine !== "model") throw new Error("the tests monitor the boosted trees");
  admin = await makeStaff(deps, "admin");
  userId = (await registerTestUser(deps)).user.id;
  server = await startTestServer(deps);
});
afterAll(async () => {
  await server.stop();
});

/** Scores the inputs with the loaded model and stores them as calculated at `at` (a window of its own). */
async function storeScores(inputs: ScoreInputs[], at: Date): Promise<string[]> {
  const rows = inputs.map((row, i) => {
    const result = computeScore(row, deps.scoring);
    return { userId, ...result, inputs: row, calculatedAt: new Date(at.getTime() + i * 1000) };
  });
  const ids: string[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const stored = await deps.db
      .insert(creditScores)
      .values(rows.slice(i, i + 500))
      .returning({ id: creditScores.id });
    ids.push(...stored.map((row) => row.id));
  }
  return ids;
}

/** A seeded sample of the training file's applicants: the population the model was trained on. */
async function trainingLikeSample(count: number): Promise<ScoreInputs[]> {
  const { inputs } = await realDataset();
  const random = mulberry32(17);
  return Array.from({ length: count }, () => inputs[Math.floor(random() * inputs.length)] as ScoreInputs);
}

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe(`GET /api/admin/model/monitoring (${driver})`, () => {
  it("is for admins only: 401 without a session, 403 for a user or an underwriter", async () => {
    const url = `${server.url}/api/admin/model/monitoring`;
    expect((await fetch(url)).status).toBe(401);
    const user = await registerTestUser(deps);
    const underwriter = await makeStaff(deps, "underwriter");
    for (const token of [user.token, underwriter.token]) {
      expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    }
    const answer = await fetch(`${url}?from=2000-01-01&to=2000-01-08`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(answer.status).toBe(200);
    const body = await answer.json();
    // An empty window: nothing to compare, no flag.
    expect(body).toMatchObject({ scores: 0, flag: null, score: { psi: null, flag: null } });
    expect(body.thresholds).toEqual({ watch: 0.1, act: 0.25 });
  });

  it("refuses a window that ends before it starts, or a date it cannot read, with 400", async () => {
    for (const query of ["from=2001-02-01&to=2001-01-01", "from=yesterday"]) {
      const answer = await fetch(`${server.url}/api/admin/model/monitoring?${query}`, {
        headers: { authorization: `Bearer ${admin.token}` },
      });
      expect(answer.status).toBe(400);
    }
  });

  it.skipIf(!HAS_DATA)("finds applicants like the training population stable", async () => {
    await storeScores(await trainingLikeSample(1500), day("2001-03-01"));
    const report = await admin.caller.admin.modelMonitoring({
      from: day("2001-03-01"),
      to: day("2001-03-08"),
    });
    expect(report.scores).toBe(1500);
    expect(report.score.psi).toBeLessThan(0.1);
    expect(report.flag).toBe("stable");
    expect(report.features).toHaveLength(10);
    for (const feature of report.features) expect(feature.psi).toBeLessThan(0.1);
  });

  it("flags a population that moved: act on the score, and names the features that moved", async () => {
    // Applicants far later on their payments and fuller on their cards than the training population.
    const moved = randomProfiles(600, 3).map((row) => ({
      ...row,
      revolvingUtilization: 0.95,
      pastDue30to59: 3,
      pastDue90Plus: 2,
    }));
    await storeScores(moved, day("2001-05-01"));
    const report = await admin.caller.admin.modelMonitoring({
      from: day("2001-05-01"),
      to: day("2001-05-08"),
    });
    expect(report.scores).toBe(600);
    expect(report.score.psi).toBeGreaterThanOrEqual(0.25);
    expect(report.score.flag).toBe("act");
    expect(report.flag).toBe("act");
    const byId = new Map(report.features.map((feature) => [feature.id, feature]));
    expect(byId.get("pastDue90Plus")?.flag).toBe("act");
    expect(byId.get("revolvingUtilization")?.flag).toBe("act");
    // The lateness pulled the average score down: a negative points shift.
    expect(byId.get("pastDue90Plus")?.pointsShift).toBeLessThan(0);
    // Only the window's scores count.
    const before = await admin.caller.admin.modelMonitoring({
      from: day("2001-04-01"),
      to: day("2001-05-01"),
    });
    expect(before.scores).toBe(0);
  });

  it("gives approval and default rates by band once loans priced with the window's scores have outcomes", async () => {
    const ids = await storeScores(randomProfiles(6, 11), day("2001-07-01"));
    const [row] = await deps.db
      .select()
      .from(creditScores)
      .where(eq(creditScores.id, ids[0] as string));
    const band = row?.band;
    if (!row || !band) throw new Error("no score stored");
    // Six loans priced with scores of one band: rejected, approved, repaid, two defaulted, one pending.
    const sameBand = await storeScores(
      Array.from({ length: 6 }, () => row.inputs),
      day("2001-07-02"),
    );
    const statuses = ["rejected", "approved", "repaid", "defaulted", "defaulted", "submitted"] as const;
    await deps.db.insert(loans).values(
      statuses.map((status, i) => ({
        userId,
        status,
        amountCents: 100_000,
        termMonths: 12,
        purpose: "Monitoring test",
        scheduleType: "equal_installments" as const,
        aprBasisPoints: 1299,
        monthlyPaymentCents: 9_000,
        scoreId: sameBand[i] as string,
        score: row.score,
      })),
    );
    const report = await admin.caller.admin.modelMonitoring({
      from: day("2001-07-01"),
      to: day("2001-07-08"),
    });
    const figures = report.bands.find((item) => item.band === band);
    expect(figures).toMatchObject({
      applications: 6,
      decided: 5,
      approved: 4,
      approvalRate: 0.8,
      withOutcome: 3,
      defaulted: 2,
      defaultRate: Number((2 / 3).toFixed(6)),
    });
    for (const other of report.bands.filter((item) => item.band !== band)) {
      expect(other).toMatchObject({ applications: 0, approvalRate: null, defaultRate: null });
    }
  });
});

describe(`the weekly monitoring job (${driver})`, () => {
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

  it("keeps each run's figures and logs a warning when a flag is raised", async () => {
    const moved = randomProfiles(300, 5).map((row) => ({
      ...row,
      revolvingUtilization: 0.95,
      pastDue90Plus: 3,
    }));
    const now = day("2001-09-08");
    await storeScores(moved, day("2001-09-02"));
    const capture = capturingLogger();
    const run = await runModelMonitoring(deps.db, { scoring: deps.scoring, logger: capture.logger }, { now });
    if (!run) throw new Error("the model is loaded: the run happens");
    expect(run.report.flag).toBe("act");
    const [stored] = await deps.db
      .select()
      .from(modelMonitoringRuns)
      .where(eq(modelMonitoringRuns.id, run.runId));
    expect(stored).toMatchObject({ flag: "act", windowTo: now, modelVersion: run.report.modelVersion });
    expect(stored?.figures).toMatchObject({ scores: 300 });
    const warning = capture
      .records()
      .find((record) => record.msg === "model monitoring: population shift flagged");
    expect(warning?.level).toBe(40);
  });

  it("is one pg-boss cron schedule across instances, and its worker stores a run", async () => {
    const jobDeps = await testDeps({ MODEL_MONITORING_CRON: "0 7 * * 1" }, { connection });
    await startModelMonitoringSchedule({ ...jobDeps, jobs });
    await startModelMonitoringSchedule({ ...jobDeps, jobs });
    const schedules = await jobs.boss.getSchedules(MODEL_MONITORING_QUEUE);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ cron: "0 7 * * 1", timezone: "UTC" });
    const jobId = await jobs.boss.send(MODEL_MONITORING_QUEUE, {});
    await waitFor("the monitoring job to complete", async () => {
      const [job] = await jobs.boss.findJobs(MODEL_MONITORING_QUEUE, { id: jobId as string });
      return job?.state === "completed" ? job : undefined;
    });
    const runs = await connection.db.select().from(modelMonitoringRuns);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.flag).toBeNull();
  });
});
