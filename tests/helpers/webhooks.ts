import { expect } from "bun:test";
import type { DatabaseConnection } from "../../db/client";
import type { AppDeps } from "../../server/context";
import { createJobs, type Jobs } from "../../server/jobs/jobs";
import { startWebhookDelivery } from "../../server/webhooks/delivery";
import { startTestServer, type TestServer, testDeps } from "./app";
import { createTestDatabase } from "./database";
import { LOAN_TEST_OVERRIDES, makeStaff } from "./loans";
import { restClient } from "./rest";
import { startWebhookReceiver } from "./webhook-receiver";

export type WebhookApp = {
  connection: DatabaseConnection;
  jobs: Jobs;
  deps: AppDeps & { jobs: Jobs };
  server: TestServer;
  rest: ReturnType<typeof restClient>;
  receiver: ReturnType<typeof startWebhookReceiver>;
  admin: Awaited<ReturnType<typeof makeStaff>>;
  underwriter: Awaited<ReturnType<typeof makeStaff>>;
  /** A second admin: four eyes, the approver does not pay out. */
  payer: Awaited<ReturnType<typeof makeStaff>>;
  /** Registers `receiver.url + path` for `events` as the admin; the receiver learns its secret. */
  register(
    path: string,
    events: string[],
  ): Promise<{ id: string; secret: string; url: string; events: string[] }>;
  stop(): Promise<void>;
};

/**
 * The app on a database of its own with the job queue and the webhook worker running (retries after 1 s),
 * a local receiver, and staff. Repayments settle by the provider's event, as there is no sandbox queue here.
 */
export async function startWebhookApp(): Promise<WebhookApp> {
  const connection = await createTestDatabase();
  const base = await testDeps(
    {
      ...LOAN_TEST_OVERRIDES,
      WEBHOOKS_RETRY_BASE_SECONDS: "1",
      JOBS_POLL_INTERVAL_SECONDS: "0.5",
      PAYMENTS_PROVIDER: "webhook",
    },
    { connection },
  );
  const jobs = createJobs(connection, base.config, base.logger);
  await jobs.start();
  const deps = { ...base, jobs };
  await startWebhookDelivery(deps);
  const server = await startTestServer(deps);
  const rest = restClient(server.url);
  const receiver = startWebhookReceiver();
  const admin = await makeStaff(deps, "admin");
  return {
    connection,
    jobs,
    deps,
    server,
    rest,
    receiver,
    admin,
    underwriter: await makeStaff(deps, "underwriter"),
    payer: await makeStaff(deps, "admin"),
    async register(path, events) {
      const answer = await rest("POST", "/admin/webhooks", {
        token: admin.token,
        body: { url: `${receiver.url}${path}`, events },
      });
      expect(answer.status).toBe(200);
      receiver.secrets.set(path, answer.body.secret);
      return answer.body;
    },
    async stop() {
      await server.stop();
      await receiver.stop();
      await jobs.stop();
      await connection.close();
    },
  };
}
