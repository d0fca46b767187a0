import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { connectDatabase, type DatabaseConnection } from "../../db/client";
import type { AppDeps } from "../../server/context";
import { createHealthMonitor } from "../../server/health";
import { callerFor, testDeps } from "../helpers/app";
import { freePort } from "../helpers/processes";

/**
 * The health answer comes from memory: a read costs no database round trip. Checks run in the background, and
 * at once after a request found a dependency failing. "The database went away" is the same app pointed at a
 * Postgres port where nothing listens: the real driver, failing as it does in an outage.
 */
let deps: AppDeps;
let unreachable: DatabaseConnection;
let down: AppDeps;

beforeAll(async () => {
  deps = await testDeps();
  unreachable = await connectDatabase({
    url: `postgres://postgres@127.0.0.1:${await freePort()}/gone`,
    poolMax: 1,
  });
  down = { ...deps, db: unreachable.db };
});
afterAll(async () => {
  await unreachable.close();
});

describe("the health monitor", () => {
  it("answers from memory between checks: a database that went away is not asked on every read", async () => {
    const health = createHealthMonitor(60_000);
    expect((await health.current(deps)).checks.database.status).toBe("ok");
    for (let read = 0; read < 5; read += 1) {
      expect((await health.current(down)).checks.database.status).toBe("ok");
    }
    expect(unreachable.activity.queriesInFlight).toBe(0);
  });

  it("checks at once after a failure: the next read waits for a fresh check", async () => {
    const health = createHealthMonitor(60_000);
    expect((await health.current(deps)).status).toBe("ok");
    health.checkSoon();
    const after = await health.current(down);
    expect(after.status).toBe("degraded");
    expect(after.checks.database).toMatchObject({ status: "down", detail: "database did not answer" });
  });

  it("runs the checks in the background and notices a failure within the interval, without any request failing", async () => {
    const health = createHealthMonitor(300);
    expect((await health.current(deps)).status).toBe("ok");
    health.start(down);
    try {
      const deadline = Date.now() + 3_000;
      while ((await health.current(down)).status === "ok" && Date.now() < deadline) await Bun.sleep(50);
      expect((await health.current(down)).checks.database.status).toBe("down");
    } finally {
      health.stop();
    }
  });

  it("answers /health through the procedure with the contract's shape", async () => {
    const body = await (await callerFor(deps)).health.check();
    expect(body.status).toBe("ok");
    expect(Object.keys(body.checks).sort()).toEqual(["blockchain", "database", "model", "redis"]);
    expect(body.sanctions.status).toBe("ok");
  });
});
