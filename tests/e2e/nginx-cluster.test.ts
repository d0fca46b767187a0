import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createFreshPostgresDatabase, dropPostgresDatabase, testDatabaseUrl } from "../helpers/database";
import { ensureNginx, type Nginx, startNginx } from "../helpers/nginx";
import { type ServerProcess, startServerProcess } from "../helpers/processes";
import { restClient } from "../helpers/rest";
import { expectAuditAndLedgerSound, registerStaff, runUserFlow, type Staff } from "../helpers/user-flow";
import { TEST_PASSWORD, uniqueEmail } from "../helpers/users";

/**
 * Three BlockScore processes behind nginx (upstream `bs`, so the Host they see is two characters long) on one
 * Postgres and one Redis: state lives only there, so any instance can serve any request of any user.
 */
const nginx = await ensureNginx();
const skipReason = !testDatabaseUrl
  ? "needs TEST_DATABASE_URL: the instances share a Postgres server"
  : !process.env.REDIS_URL
    ? "needs REDIS_URL: the instances share Redis"
    : "missing" in nginx
      ? nginx.missing
      : null;

describe.skipIf(skipReason !== null)(
  `three instances behind nginx${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  () => {
    let databaseUrl: string;
    let instances: ServerProcess[] = [];
    let proxy: Nginx;
    let staff: Staff;

    beforeAll(async () => {
      databaseUrl = await createFreshPostgresDatabase(testDatabaseUrl as string);
      const env = { DATABASE_URL: databaseUrl, REDIS_URL: process.env.REDIS_URL as string };
      // The first start migrates; the other two find the schema in place.
      instances.push(await startServerProcess({ env }));
      instances.push(...(await Promise.all([startServerProcess({ env }), startServerProcess({ env })])));
      if ("missing" in nginx) throw new Error(nginx.missing);
      proxy = await startNginx({
        binary: nginx.binary,
        upstreamPorts: instances.map((instance) => instance.port),
      });
      staff = {
        underwriter: await registerStaff(proxy.url, databaseUrl, "underwriter"),
        admin: await registerStaff(proxy.url, databaseUrl, "admin"),
      };
    }, 90_000);

    afterAll(async () => {
      await proxy?.stop();
      await Promise.all(instances.map((instance) => instance.stop()));
      instances = [];
      if (databaseUrl) await dropPostgresDatabase(databaseUrl);
    });

    it("runs the whole user flow with consecutive requests on different instances; the audit chain verifies and the books balance", async () => {
      const { steps } = await runUserFlow(proxy.url, staff, () =>
        instances.map((instance) => instance.log()).join("\n"),
      );
      const upstreams = steps.map((step) => step.upstream);
      expect(new Set(upstreams).size).toBe(3);
      const repeats = upstreams.filter((upstream, index) => index > 0 && upstream === upstreams[index - 1]);
      expect(repeats).toEqual([]);
      await expectAuditAndLedgerSound(proxy.url, staff.admin);
    }, 60_000);

    it("ends a session on every instance at once when it logs out on one", async () => {
      const email = uniqueEmail("revoke");
      const viaProxy = restClient(proxy.url);
      const { body } = await viaProxy("POST", "/auth/register", {
        body: { email, password: TEST_PASSWORD, name: "Revoke" },
      });
      const token = body.token as string;
      for (const instance of instances)
        expect((await restClient(instance.url)("GET", "/profile", { token })).status).toBe(200);
      expect((await restClient(instances[0]?.url as string)("POST", "/auth/logout", { token })).status).toBe(
        200,
      );
      for (const instance of instances)
        expect((await restClient(instance.url)("GET", "/profile", { token })).status).toBe(401);
    });

    it("keeps one audit chain when instances append at the same moment", async () => {
      const viaProxy = restClient(proxy.url);
      const { body } = await viaProxy("POST", "/auth/register", {
        body: { email: uniqueEmail("burst"), password: TEST_PASSWORD, name: "Burst" },
      });
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, index) =>
          viaProxy("PATCH", "/profile", { token: body.token, body: { dependants: index % 5 } }),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
      expect(new Set(answers.map((answer) => answer.headers.get("x-upstream"))).size).toBe(3);
      await expectAuditAndLedgerSound(proxy.url, staff.admin);
    });
  },
);
