import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq, inArray } from "drizzle-orm";
import type { DatabaseConnection } from "../../db/client";
import { auditCheckpoints, oneTimeCodes, sessions, walletChallenges } from "../../db/schema";
import { checkpointAuditHead } from "../../server/audit/checkpoint";
import { AUDIT_CHECKPOINT_QUEUE, startAuditCheckpointSchedule } from "../../server/audit/checkpoint-job";
import { AUTH_CLEANUP_QUEUE, startAuthCleanupSchedule } from "../../server/auth/cleanup-job";
import type { AppDeps } from "../../server/context";
import { createJobs, type Jobs } from "../../server/jobs/jobs";
import { testDeps } from "../helpers/app";
import { waitFor } from "../helpers/chain";
import { createTestDatabase, testDatabaseUrl } from "../helpers/database";
import { capturingLogger } from "../helpers/logs";
import { registerTestUser } from "../helpers/users";

const driver = testDatabaseUrl ? "postgres" : "pglite";
const DAY = 86_400_000;
let connection: DatabaseConnection;
let jobs: Jobs;
let deps: AppDeps;

beforeAll(async () => {
  connection = await createTestDatabase();
  deps = await testDeps(
    { AUTH_CLEANUP_CRON: "45 3 * * *", RATE_LIMIT_REGISTER_IP: "1000/3600" },
    { connection },
  );
  jobs = createJobs(connection, { JOBS_ENABLED: true, JOBS_POLL_INTERVAL_SECONDS: 0.5 }, deps.logger);
  await jobs.start();
});
afterAll(async () => {
  await jobs?.stop();
  await connection?.close();
});

async function runNow(queue: string) {
  const id = await jobs.boss.send(queue, {});
  return waitFor(`the ${queue} job to complete`, async () => {
    const [job] = await jobs.boss.findJobs(queue, { id: id as string });
    return job?.state === "completed" ? job : undefined;
  });
}

describe(`the daily auth clean-up (${driver})`, () => {
  it("is one cron schedule, and deletes expired sessions, challenges and codes but nothing live", async () => {
    await startAuthCleanupSchedule({ ...deps, jobs });
    await startAuthCleanupSchedule({ ...deps, jobs });
    const schedules = await jobs.boss.getSchedules(AUTH_CLEANUP_QUEUE);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ cron: "45 3 * * *", timezone: "UTC" });

    const { user, token } = await registerTestUser(deps);
    const live = token.split(".")[0] ?? "";
    const now = Date.now();
    const expired = { userId: user.id, secretHash: "x", expiresAt: new Date(now - 1000) };
    await connection.db.insert(sessions).values([
      { ...expired, id: `expired-${crypto.randomUUID()}` },
      // still sliding, but begun longer ago than SESSION_MAX_DAYS (90): past its absolute end
      {
        ...expired,
        id: `too-old-${crypto.randomUUID()}`,
        createdAt: new Date(now - 91 * DAY),
        expiresAt: new Date(now + DAY),
      },
    ]);
    await connection.db.insert(walletChallenges).values([
      {
        userId: user.id,
        nonceHash: crypto.randomUUID(),
        messageHash: "m",
        address: "0x1",
        expiresAt: new Date(now - 1000),
      },
      {
        userId: user.id,
        nonceHash: crypto.randomUUID(),
        messageHash: "m",
        address: "0x1",
        expiresAt: new Date(now + 60_000),
      },
    ]);
    await connection.db.insert(oneTimeCodes).values([
      { userId: user.id, channel: "email", codeHash: "h", expiresAt: new Date(now - 1000) },
      { userId: user.id, channel: "email", codeHash: "h", expiresAt: new Date(now + 60_000) },
    ]);

    await runNow(AUTH_CLEANUP_QUEUE);
    const left = await connection.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(eq(sessions.userId, user.id));
    expect(left.map((row) => row.id)).toEqual([live]);
    expect(
      await connection.db.select().from(walletChallenges).where(eq(walletChallenges.userId, user.id)),
    ).toHaveLength(1);
    expect(
      await connection.db.select().from(oneTimeCodes).where(eq(oneTimeCodes.userId, user.id)),
    ).toHaveLength(1);
  });
});

describe(`the audit checkpoint schedule (${driver})`, () => {
  it("fires every minute once across instances; a run checkpoints the head when the interval has passed", async () => {
    await startAuditCheckpointSchedule({ ...deps, jobs });
    await startAuditCheckpointSchedule({ ...deps, jobs });
    const schedules = await jobs.boss.getSchedules(AUDIT_CHECKPOINT_QUEUE);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ cron: "* * * * *", timezone: "UTC" });
    await registerTestUser(deps);
    await runNow(AUDIT_CHECKPOINT_QUEUE);
    const [first] = await connection.db.select().from(auditCheckpoints);
    expect(first).toBeDefined();
  });

  it("waits AUDIT_CHECKPOINT_MINUTES between checkpoints, and writes none while the head stands still", async () => {
    const { logger } = capturingLogger();
    const hour = 60 * 60_000;
    await registerTestUser(deps);
    const made = await checkpointAuditHead(connection.db, { outbox: {}, logger, intervalMs: 0 });
    expect(made).not.toBeNull();
    await registerTestUser(deps);
    expect(await checkpointAuditHead(connection.db, { outbox: {}, logger, intervalMs: hour })).toBeNull();
    const later = new Date(Date.now() + hour + 1000);
    const next = await checkpointAuditHead(connection.db, {
      outbox: {},
      logger,
      intervalMs: hour,
      now: later,
    });
    expect(next?.seq).toBeGreaterThan(made?.seq ?? 0);
    expect(
      await checkpointAuditHead(connection.db, { outbox: {}, logger, intervalMs: 0, now: later }),
    ).toBeNull();
    const rows = await connection.db
      .select()
      .from(auditCheckpoints)
      .where(inArray(auditCheckpoints.seq, [made?.seq ?? 0, next?.seq ?? 0]));
    expect(rows).toHaveLength(2);
  });
});
