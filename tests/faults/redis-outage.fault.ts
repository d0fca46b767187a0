import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type ServerProcess, startServerProcess } from "../helpers/processes";
import { type Borrower, call, countAcknowledgedWrites, makeBorrower, makeStaff, startLoad } from "./load";
import { report, until } from "./report";
import {
  missingRigBinary,
  type PrivatePostgres,
  type PrivateRedis,
  startPrivatePostgres,
  startPrivateRedis,
} from "./rig";

/**
 * Redis is killed under load and started again (empty) 5 s later. The rate limits fall back to the instance's
 * memory at once (no request fails for it), health says degraded, and when Redis is back the limits are kept in
 * it again: its keys reappear.
 */
const missing = missingRigBinary({ postgres: true, redis: true });
const OUTAGE_MS = 5000;

function redisKeys(url: string): number {
  const port = new URL(url).port;
  const answer = Bun.spawnSync(["redis-cli", "-p", port, "dbsize"], { stdout: "pipe", stderr: "ignore" });
  return Number(answer.stdout.toString().trim()) || 0;
}

const redisStatus = async (baseUrl: string) => {
  const health = await call(baseUrl, "GET", "/health");
  const checks = health.body?.checks as { redis?: { status: string } } | undefined;
  return { overall: health.body?.status, redis: checks?.redis?.status };
};

describe.skipIf(missing !== null)(`Redis outage under load${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let cluster: PrivatePostgres;
  let redis: PrivateRedis;
  let server: ServerProcess;
  const borrowers: Borrower[] = [];

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    redis = await startPrivateRedis();
    server = await startServerProcess({
      env: { DATABASE_URL: cluster.url, REDIS_URL: redis.url, HEALTH_CHECK_INTERVAL_SECONDS: "1" },
    });
    const staff = await makeStaff(server.url, cluster.url);
    for (let index = 0; index < 3; index += 1)
      borrowers.push(await makeBorrower(server.url, cluster.url, staff));
  }, 120_000);

  afterAll(async () => {
    await server?.stop("SIGKILL");
    await redis?.destroy();
    cluster?.destroy();
  });

  it("keeps serving with limits in memory while Redis is gone, and moves them back when it returns", async () => {
    expect(redisKeys(redis.url)).toBeGreaterThan(0);
    const load = startLoad({ baseUrl: server.url, borrowers, maxRequests: 20_000, maxDurationMs: 120_000 });
    await until(() => load.record.acknowledged >= 30, 60_000, "30 acknowledged requests before the fault");

    await redis.kill();
    const killedAt = Date.now();
    // The very next request is limited in memory: it is answered like any other.
    const next = await call(server.url, "GET", "/profile", { token: (borrowers[0] as Borrower).token });
    let healthSaidDegraded = false;
    while (Date.now() - killedAt < OUTAGE_MS) {
      const status = await redisStatus(server.url);
      if (status.overall === "degraded" && status.redis === "error") healthSaidDegraded = true;
      await Bun.sleep(250);
    }
    const duringOutage = load.record.acknowledged;

    await redis.start();
    const upAt = Date.now();
    let backInRedisMs: number | null = null;
    while (backInRedisMs === null && Date.now() - upAt < 60_000) {
      if (redisKeys(redis.url) > 0) backInRedisMs = Date.now() - upAt;
      else await Bun.sleep(100);
    }
    await until(() => load.record.acknowledged >= duringOutage + 30, 60_000, "30 more after the return");
    let healthOk = false;
    const healthDeadline = Date.now() + 30_000;
    while (!healthOk && Date.now() < healthDeadline) {
      healthOk = (await redisStatus(server.url)).redis === "ok";
      if (!healthOk) await Bun.sleep(250);
    }
    load.stop();
    const record = await load.done;
    const writes = await countAcknowledgedWrites(cluster.url, record);
    report("Redis killed 5 s", record, writes, {
      "first request after the kill": next.status,
      "limits back in Redis ms after start": backInRedisMs,
    });

    expect(next.status).toBe(200);
    expect(record.serverErrors).toEqual([]);
    expect(record.unavailable).toBe(0);
    expect(record.statuses[0] ?? 0).toBe(0);
    expect(healthSaidDegraded).toBe(true);
    expect(backInRedisMs).not.toBeNull();
    expect(healthOk).toBe(true);
    expect(writes.problems).toEqual([]);
    expect(writes.found).toBe(writes.writes);
  }, 240_000);
});
