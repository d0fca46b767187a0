import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import postgres from "postgres";
import { createFreshPostgresDatabase, dropPostgresDatabase, testDatabaseUrl } from "../helpers/database";
import { ensureNginx, type Nginx, startNginx } from "../helpers/nginx";
import { type ServerProcess, startServerProcess } from "../helpers/processes";
import { restClient } from "../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../helpers/users";

/**
 * A rolling restart under load: three instances behind nginx, clients reading and writing without pause, each
 * instance in turn sent SIGTERM and started again on its port. Graceful shutdown (stop accepting, finish what is
 * in flight) plus nginx moving on from a refused connection means no client sees an error, and every write that
 * was acknowledged is in the database.
 */
const nginx = await ensureNginx();
const skipReason = !testDatabaseUrl
  ? "needs TEST_DATABASE_URL: the instances share a Postgres server"
  : !process.env.REDIS_URL
    ? "needs REDIS_URL: the instances share Redis"
    : "missing" in nginx
      ? nginx.missing
      : null;

const CLIENTS = 8;

describe.skipIf(skipReason !== null)(
  `a rolling restart${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  () => {
    let databaseUrl: string;
    let env: Record<string, string>;
    const instances: ServerProcess[] = [];
    let proxy: Nginx;

    beforeAll(async () => {
      databaseUrl = await createFreshPostgresDatabase(testDatabaseUrl as string);
      env = {
        DATABASE_URL: databaseUrl,
        REDIS_URL: process.env.REDIS_URL as string,
        SHUTDOWN_TIMEOUT_SECONDS: "10",
      };
      instances.push(await startServerProcess({ env }));
      instances.push(...(await Promise.all([startServerProcess({ env }), startServerProcess({ env })])));
      if ("missing" in nginx) throw new Error(nginx.missing);
      proxy = await startNginx({
        binary: nginx.binary,
        upstreamPorts: instances.map((instance) => instance.port),
      });
    }, 90_000);

    afterAll(async () => {
      await proxy?.stop();
      await Promise.all(instances.map((instance) => instance.stop()));
      if (databaseUrl) await dropPostgresDatabase(databaseUrl);
    });

    it("loses no acknowledged request while every instance restarts in turn", async () => {
      const rest = restClient(proxy.url);
      const { body } = await rest("POST", "/auth/register", {
        body: { email: uniqueEmail("rolling"), password: TEST_PASSWORD, name: "Rolling" },
      });
      const token = body.token as string;
      const counts = { sent: 0, acknowledged: 0, failed: 0 };
      const failures: string[] = [];
      const acknowledgedWrites: string[] = [];
      let running = true;

      const client = async (index: number) => {
        for (let turn = 0; running; turn += 1) {
          const write = turn % 2 === 0;
          const requestId = `rolling-${index}-${turn}`;
          counts.sent += 1;
          try {
            const answer = write
              ? await rest("PATCH", "/profile", {
                  token,
                  body: { dependants: turn % 7 },
                  headers: { "X-Request-Id": requestId },
                })
              : await rest("GET", "/profile", { token, headers: { "X-Request-Id": requestId } });
            if (answer.status === 200) {
              counts.acknowledged += 1;
              if (write) acknowledgedWrites.push(requestId);
            } else {
              counts.failed += 1;
              failures.push(`${requestId}: ${answer.status} ${JSON.stringify(answer.body)}`);
            }
          } catch (error) {
            counts.failed += 1;
            failures.push(`${requestId}: ${(error as Error).message}`);
          }
        }
      };
      const load = Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));

      const exitCodes: number[] = [];
      await Bun.sleep(500);
      for (let index = 0; index < instances.length; index += 1) {
        const old = instances[index] as ServerProcess;
        exitCodes.push(await old.stop("SIGTERM"));
        instances[index] = await startServerProcess({ env, port: old.port });
        await Bun.sleep(300);
      }
      running = false;
      await load;

      console.log(
        `rolling restart of 3 instances under ${CLIENTS} clients: ${counts.sent} sent, ` +
          `${counts.acknowledged} acknowledged, ${counts.failed} failed, ${acknowledgedWrites.length} acknowledged writes`,
      );
      expect(exitCodes).toEqual([0, 0, 0]);
      expect(failures).toEqual([]);
      expect(counts.acknowledged).toBe(counts.sent);
      expect(counts.sent).toBeGreaterThan(100);

      const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      try {
        const stored = await sql<{ request_id: string }[]>`
        select request_id from audit_log
        where action = 'profile.update' and request_id like 'rolling-%'`;
        const storedIds = new Set(stored.map((row) => row.request_id));
        expect(acknowledgedWrites.filter((id) => !storedIds.has(id))).toEqual([]);
      } finally {
        await sql.end();
      }
    }, 120_000);
  },
);
