import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import type { DatabaseConnection } from "../../db/client";
import { createJobs, type Jobs } from "../../server/jobs/jobs";
import { createLogger } from "../../server/logger";
import { waitFor } from "../helpers/chain";
import { createTestDatabase, testDatabaseUrl } from "../helpers/database";

const driver = testDatabaseUrl ? "postgres" : "pglite";
let connection: DatabaseConnection;
let jobs: Jobs;
const seen: { queue: string; data: { n: number }; retryCount: number }[] = [];

beforeAll(async () => {
  connection = await createTestDatabase();
  await connection.db.execute(sql`create table outbox_probe (n integer not null)`);
  jobs = createJobs(
    connection,
    { JOBS_ENABLED: true, JOBS_POLL_INTERVAL_SECONDS: 0.5 },
    createLogger({ LOG_LEVEL: "silent", NODE_ENV: "test" }),
  );
  await jobs.start();
  await jobs.ensureQueue("probe.dead");
  await jobs.ensureQueue("probe", {
    retryLimit: 2,
    retryDelay: 1,
    retryBackoff: true,
    retryDelayMax: 1,
    deadLetter: "probe.dead",
  });
  await jobs.work<{ n: number }>("probe", async (job) => {
    seen.push({ queue: "probe", data: job.data, retryCount: job.retryCount });
    if (job.data.n < 0) throw new Error("this job always fails");
  });
});

afterAll(async () => {
  await jobs?.stop();
  await connection?.close();
});

describe(`job queue as the outbox (${driver})`, () => {
  test("a job sent in a committed transaction is delivered with it", async () => {
    const id = await connection.db.transaction(async (tx) => {
      await tx.execute(sql`insert into outbox_probe values (1)`);
      return jobs.send(tx, "probe", { n: 1 });
    });
    await waitFor("the job to run", async () => seen.some((s) => s.data.n === 1));
    const [job] = await jobs.boss.findJobs("probe", { id });
    expect(job?.state).toBe("completed");
  });

  test("a job sent in a rolled-back transaction does not exist, and the write is gone too", async () => {
    let sentId = "";
    const rolledBack = await connection.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into outbox_probe values (2)`);
        sentId = await jobs.send(tx, "probe", { n: 2 });
        throw new Error("domain failure after the send");
      })
      .catch((error: Error) => error.message);
    expect(rolledBack).toBe("domain failure after the send");
    expect(sentId).not.toBe("");
    // one poll interval and then some: a job that existed would have been fetched by now
    await Bun.sleep(1_500);
    expect(await jobs.boss.findJobs("probe", { id: sentId })).toEqual([]);
    expect(seen.some((s) => s.data.n === 2)).toBe(false);
    const [{ count } = { count: -1 }] = await connection.db
      .select({ count: sql<number>`count(*)::int` })
      .from(sql`outbox_probe`)
      .where(sql`n = 2`);
    expect(count).toBe(0);
  });

  test("a failing job is retried with backoff, then lands in the dead-letter queue", async () => {
    const id = await jobs.send(connection.db, "probe", { n: -1 });
    await waitFor(
      "the job to fail for good",
      async () => (await jobs.boss.findJobs("probe", { id }))[0]?.state === "failed",
    );
    expect(seen.filter((s) => s.data.n === -1).map((s) => s.retryCount)).toEqual([0, 1, 2]);
    const dead = await jobs.boss.findJobs<{ n: number }>("probe.dead", { data: { n: -1 } });
    expect(dead).toHaveLength(1);
  });
});
