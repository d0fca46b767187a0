import { afterAll, describe, expect, it } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { createFreshPostgresDatabase, dropPostgresDatabase, testDatabaseUrl } from "../helpers/database";
import { freePort, INSTANCE_ENV, REPO_ROOT, startServerProcess } from "../helpers/processes";

/** WORKERS=n: a supervisor and n server processes sharing one port, as gunicorn -w n did. */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1]?.split(" ")[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("WORKERS", () => {
  it("refuses several processes on the embedded database, naming the variable", async () => {
    const run = Bun.spawn([process.execPath, "server/main.ts"], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", WORKERS: "2", PORT: "0" },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await run.exited).toBe(1);
    expect(await new Response(run.stderr).text()).toContain("WORKERS: 2 processes need DATABASE_URL");
  });

  const skip = testDatabaseUrl ? null : "needs TEST_DATABASE_URL: several workers need a Postgres server";
  describe.skipIf(skip !== null)(`on Postgres${skip ? ` (skipped: ${skip})` : ""}`, () => {
    let databaseUrl: string | null = null;
    afterAll(async () => {
      if (databaseUrl) await dropPostgresDatabase(databaseUrl);
    });

    it("serves one port from two processes, sums their metrics, replaces a dead worker and stops with exit 0", async () => {
      databaseUrl = await createFreshPostgresDatabase(testDatabaseUrl as string);
      const metricsPort = await freePort();
      const supervisor = await startServerProcess({
        env: {
          DATABASE_URL: databaseUrl,
          WORKERS: "2",
          METRICS_PORT: String(metricsPort),
          LOG_LEVEL: "info",
        },
        readyTimeoutMs: 60_000,
      });
      try {
        // Ready means the first worker answers; wait for the second.
        const deadline = Date.now() + 30_000;
        while (!supervisor.log().match(/"worker ready".*\n[\s\S]*"worker ready"/) && Date.now() < deadline) {
          await Bun.sleep(100);
        }
        const workers = childrenOf(supervisor.pid);
        expect(workers).toHaveLength(2);

        for (let index = 0; index < 40; index += 1) {
          // A new connection each time, so the kernel spreads them over both processes.
          const answer = await fetch(`${supervisor.url}/api/health`, { headers: { connection: "close" } });
          expect(answer.status).toBe(200);
        }
        const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        const served = text
          .split("\n")
          .filter(
            (line) =>
              line.startsWith("blockscore_http_requests_total{") && line.includes('route="/api/health"'),
          )
          .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
        expect(served).toBeGreaterThanOrEqual(40);
        expect(text).toContain("blockscore_scoring_engine_info");
        expect(text).toContain("process_resident_memory_bytes");
        expect(text).toContain("blockscore_db_pool_max 20");

        process.kill(workers[0] as number, "SIGKILL");
        const respawnDeadline = Date.now() + 30_000;
        let replaced: number[] = [];
        while (Date.now() < respawnDeadline) {
          replaced = childrenOf(supervisor.pid);
          if (replaced.length === 2 && !replaced.includes(workers[0] as number)) break;
          await Bun.sleep(200);
        }
        expect(replaced).toHaveLength(2);
        expect(replaced).not.toContain(workers[0]);
        expect((await fetch(`${supervisor.url}/api/health`)).status).toBe(200);
      } finally {
        expect(await supervisor.stop("SIGTERM")).toBe(0);
      }
      expect(supervisor.log()).toContain('"msg":"all workers stopped"');
      expect(INSTANCE_ENV.NODE_ENV).toBe("production");
    }, 120_000);
  });
});
