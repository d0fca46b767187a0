import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFreshPostgresDatabase, dropPostgresDatabase, testDatabaseUrl } from "../helpers/database";
import { type ServerProcess, startServerProcess } from "../helpers/processes";
import { TEST_PASSWORD, uniqueEmail } from "../helpers/users";

/**
 * SIGTERM and SIGINT: stop accepting, finish what is in flight, close everything, exit 0. The servers run on the
 * suite's Postgres when it has one, else one after another on one embedded data folder (migrated once).
 */
const database: Record<string, string> = testDatabaseUrl
  ? { DATABASE_URL: await createFreshPostgresDatabase(testDatabaseUrl) }
  : { DATA_DIR: mkdtempSync(join(tmpdir(), "blockscore-shutdown-")) };

function startServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  return startServerProcess({ env: { ...database, LOG_LEVEL: "info", ...env }, readyTimeoutMs: 60_000 });
}

afterAll(async () => {
  if (database.DATA_DIR) rmSync(database.DATA_DIR, { recursive: true, force: true });
  if (database.DATABASE_URL) await dropPostgresDatabase(database.DATABASE_URL);
});

describe("graceful shutdown", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`on ${signal} answers every request already in flight, then refuses connections and exits 0`, async () => {
      const server = await startServer({ SHUTDOWN_DRAIN_SECONDS: "0" });
      // Registration hashes a password (argon2id), so these are still running when the signal arrives.
      const inFlight = Array.from({ length: 6 }, () =>
        fetch(`${server.url}/api/auth/register`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: uniqueEmail("drain"), password: TEST_PASSWORD, name: "Drain" }),
        }).then((response) => response.status),
      );
      await Bun.sleep(30);
      const exited = server.stop(signal);
      expect(await Promise.all(inFlight)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(await exited).toBe(0);
      expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
      const log = server.log();
      expect(log).toContain('"msg":"shutting down"');
      expect(log).toContain('"msg":"stopped"');
    }, 90_000);
  }

  it("closes kept-alive connections after their next answer while draining", async () => {
    const server = await startServer({ SHUTDOWN_DRAIN_SECONDS: "2" });
    expect((await fetch(`${server.url}/api/health`)).headers.get("connection")).not.toBe("close");
    const exited = server.stop("SIGTERM");
    await Bun.sleep(300);
    const during = await fetch(`${server.url}/api/health`);
    expect(during.status).toBe(200);
    expect(during.headers.get("connection")).toBe("close");
    expect(await exited).toBe(0);
  }, 60_000);

  it("cuts off a request still running at SHUTDOWN_TIMEOUT_SECONDS and still exits 0", async () => {
    const server = await startServer({ SHUTDOWN_DRAIN_SECONDS: "0", SHUTDOWN_TIMEOUT_SECONDS: "0" });
    const slow = fetch(`${server.url}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: uniqueEmail("cut"), password: TEST_PASSWORD, name: "Cut" }),
    }).then(
      (response) => response.status,
      () => "cut off",
    );
    await Bun.sleep(20);
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(["cut off", 200]).toContain(await slow);
  }, 60_000);
});
