import { afterAll, describe, expect, it } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import {
  freePort,
  INSTANCE_ENV,
  REPO_ROOT,
  type ServerProcess,
  startServerProcess,
} from "../helpers/processes";
import { type Borrower, countWrites, makeProfileOnlyBorrower, startLoad } from "./load";
import { report, until } from "./report";

/**
 * `kill -9` of a server on the embedded database, then `bun run start` on the same data folder: the dead
 * process's lock is taken over and the server starts, a second server on the folder is refused with a message
 * naming the holder, and every acknowledged write is in the folder.
 */
describe("embedded database crash", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "blockscore-faults-pglite-"));
  const servers: ServerProcess[] = [];

  afterAll(async () => {
    for (const server of servers) await server.stop("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("restarts on the folder a killed server held, refuses a second live server, and keeps acknowledged writes", async () => {
    const env = { DATA_DIR: dataDir, JOBS_POLL_INTERVAL_SECONDS: "1" };
    const first = await startServerProcess({ env });
    servers.push(first);
    const borrowers: Borrower[] = [];
    for (let index = 0; index < 2; index += 1) borrowers.push(await makeProfileOnlyBorrower(first.url));
    const load = startLoad({ baseUrl: first.url, borrowers, maxRequests: 5000, maxDurationMs: 60_000 });
    await until(() => load.record.acknowledged >= 20, 60_000, "20 acknowledged requests before the crash");
    await first.stop("SIGKILL");
    load.stop();
    const record = await load.done;
    expect(readFileSync(join(dataDir, "server.pid"), "utf8").trim()).toBe(String(first.pid));

    const restartedAt = Date.now();
    const second = await startServerProcess({ env, args: ["run", "start"] });
    servers.push(second);
    const restartMs = Date.now() - restartedAt;

    const intruder = Bun.spawn([process.execPath, "server/main.ts"], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        ...INSTANCE_ENV,
        ...env,
        PORT: String(await freePort()),
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const intruderExit = await intruder.exited;
    const intruderSays = await new Response(intruder.stderr).text();

    // A graceful stop releases the folder; then this process may open it and count.
    expect(await second.stop("SIGTERM")).toBe(0);
    expect(existsSync(join(dataDir, "server.pid"))).toBe(false);
    const pglite = await PGlite.create(join(dataDir, "pglite"));
    let writes: Awaited<ReturnType<typeof countWrites>>;
    try {
      writes = await countWrites(
        async (query, params) => (await pglite.query<Record<string, unknown>>(query, params)).rows,
        record,
      );
    } finally {
      await pglite.close();
    }
    report("kill -9 of the server (PGlite)", record, writes, { "restart to ready ms": restartMs });

    expect(intruderExit).toBe(1);
    // `bun run start` runs the server as its child: the holder named is that child's pid.
    expect(intruderSays).toMatch(/data folder .* is in use by another process \(pid \d+\); stop it first/);
    expect(intruderSays).not.toContain("    at ");
    expect(record.serverErrors).toEqual([]);
    expect(writes.problems).toEqual([]);
    expect(writes.found).toBe(writes.writes);
  }, 240_000);
});
