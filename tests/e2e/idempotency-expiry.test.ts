/**
 * Finding 7 (idempotency half): keys expire after IDEMPOTENCY_TTL_HOURS. A retry inside the TTL gets the first
 * answer; after it the key is forgotten (a new request), and the hourly pg-boss job deletes expired keys.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { and, eq, sql } from "drizzle-orm";
import type { DatabaseConnection } from "../../db/client";
import { idempotencyKeys } from "../../db/schema";
import type { AppDeps } from "../../server/context";
import { createJobs, type Jobs } from "../../server/jobs/jobs";
import { IDEMPOTENCY_EXPIRY_QUEUE, startIdempotencyExpiry } from "../../server/loans/idempotency-expiry";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { waitFor } from "../helpers/chain";
import { createTestDatabase } from "../helpers/database";
import { LOAN_TEST_OVERRIDES, makeApplicant, newKey } from "../helpers/loans";
import { restClient } from "../helpers/rest";

let connection: DatabaseConnection;
let jobs: Jobs;
let deps: AppDeps;
let server: TestServer;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  connection = await createTestDatabase();
  deps = await testDeps({ ...LOAN_TEST_OVERRIDES, IDEMPOTENCY_TTL_HOURS: "24" }, { connection });
  jobs = createJobs(connection, { JOBS_ENABLED: true, JOBS_POLL_INTERVAL_SECONDS: 0.5 }, deps.logger);
  await jobs.start();
  server = await startTestServer(deps);
  rest = restClient(server.url);
});
afterAll(async () => {
  await server?.stop();
  await jobs?.stop();
  await connection?.close();
});

const application = { amount: "1000.00", termMonths: 12, purpose: "Bicycle" };

/** Moves a key's creation back in time, as if the request had been made `hours` ago. */
async function age(userId: string, key: string, hours: number) {
  await connection.db
    .update(idempotencyKeys)
    .set({ createdAt: sql`now() - make_interval(hours => ${hours})` })
    .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
}

const keysOf = (userId: string) =>
  connection.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.userId, userId));

describe("finding 7: idempotency keys expire", () => {
  it("a retry within the TTL replays; after it the same key is a new request", async () => {
    const applicant = await makeApplicant(deps);
    const key = newKey();
    const apply = () =>
      rest("POST", "/loans/apply", {
        token: applicant.token,
        body: application,
        headers: { "Idempotency-Key": key },
      });
    const first = await apply();
    expect(first.status).toBe(200);
    await age(applicant.user.id, key, 23);
    expect((await apply()).body.id).toBe(first.body.id);

    await age(applicant.user.id, key, 25);
    const later = await apply();
    expect(later.status).toBe(200);
    expect(later.body.id).not.toBe(first.body.id);
    expect(await keysOf(applicant.user.id)).toHaveLength(1);
  });

  it("the hourly job deletes every key older than the TTL, and nothing younger", async () => {
    const applicant = await makeApplicant(deps);
    const old = newKey();
    const fresh = newKey();
    for (const key of [old, fresh]) {
      const answer = await rest("POST", "/loans/apply", {
        token: applicant.token,
        body: application,
        headers: { "Idempotency-Key": key },
      });
      expect(answer.status).toBe(200);
    }
    await age(applicant.user.id, old, 30);

    // Two instances starting: one schedule.
    await startIdempotencyExpiry({ ...deps, jobs });
    await startIdempotencyExpiry({ ...deps, jobs });
    const schedules = await jobs.boss.getSchedules(IDEMPOTENCY_EXPIRY_QUEUE);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ cron: "40 * * * *", timezone: "UTC" });

    // What the cron sends at the next :40, sent now.
    const jobId = await jobs.boss.send(IDEMPOTENCY_EXPIRY_QUEUE, {});
    await waitFor("the expiry job to complete", async () => {
      const [job] = await jobs.boss.findJobs(IDEMPOTENCY_EXPIRY_QUEUE, { id: jobId as string });
      return job?.state === "completed" ? job : undefined;
    });
    expect((await keysOf(applicant.user.id)).map((row) => row.key)).toEqual([fresh]);
  });

  it("refuses a TTL that is not a whole number of hours at start", async () => {
    await expect(testDeps({ IDEMPOTENCY_TTL_HOURS: "0" })).rejects.toThrow("IDEMPOTENCY_TTL_HOURS");
    await expect(testDeps({ IDEMPOTENCY_TTL_HOURS: "1.5" })).rejects.toThrow("IDEMPOTENCY_TTL_HOURS");
  });
});
