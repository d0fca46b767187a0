import { eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "../../db/client";
import { type Payment, payments } from "../../db/schema";
import type { ChainService } from "../chain/connection";
import { amlConfig } from "../compliance/aml/monitoring";
import type { Config } from "../config";
import type { Jobs } from "../jobs/jobs";
import { loanSettings } from "../loans/settings";
import { formatMoney } from "../money";
import { signatureHeader } from "../security/signature";
import type { WebhookResult } from "./schemas";
import type { PaymentsSettings } from "./settings";
import { receiveProviderEvent } from "./webhook";

export const SANDBOX_QUEUE = "payments.sandbox-settle";

type SandboxJob = { paymentId: string };

/**
 * Queues the sandbox's settlement of a new intent, in the intent's transaction, to run after the delay. Without
 * a job queue in this process nothing settles it: the intent waits, as it would for a provider that never calls.
 */
export async function enqueueSandboxSettlement(
  jobs: Jobs | null,
  tx: Database,
  payment: Payment,
  delaySeconds: number,
): Promise<void> {
  if (!jobs) return;
  await jobs.send<SandboxJob>(tx, SANDBOX_QUEUE, { paymentId: payment.id }, { startAfter: delaySeconds });
}

export type SandboxDeps = {
  db: Database;
  logger: Logger;
  config: Config;
  jobs: Jobs;
  chain: ChainService | null;
  payments: PaymentsSettings;
};

/**
 * The sandbox provider: for a pending intent it builds the event a real provider would send, signs it with the
 * webhook secret and hands it to the very function the webhook route calls (signature, replay and settlement
 * checks included). Its event id is fixed per payment, so a retried job is a replay and changes nothing.
 */
export async function settleInSandbox(deps: SandboxDeps, paymentId: string): Promise<WebhookResult | null> {
  const secret = deps.payments.webhookSecret;
  if (!secret) throw new Error("the sandbox provider needs a webhook secret");
  const [payment] = await deps.db.select().from(payments).where(eq(payments.id, paymentId));
  if (payment?.status !== "pending") return null;
  const rawBody = JSON.stringify({
    eventId: `evt_sandbox_${payment.id}`,
    type: "payment.settled",
    reference: payment.reference,
    amount: formatMoney(payment.amountCents),
  });
  const meta = { actorId: null, ip: null, requestId: `job:${SANDBOX_QUEUE}:${payment.id}` };
  return receiveProviderEvent(
    deps.db,
    meta,
    {
      outbox: { chain: deps.chain, jobs: deps.jobs },
      aml: amlConfig(deps.config),
      delinquency: loanSettings(deps.config).delinquency,
      payments: deps.payments,
    },
    { rawBody, signature: signatureHeader(secret, rawBody) },
  );
}

/** Creates the sandbox's queue (every instance: intents are queued there) and works it where workers run. */
export async function startSandboxProvider(deps: SandboxDeps): Promise<void> {
  const { jobs } = deps;
  const log = deps.logger.child({ component: "payments.sandbox" });
  await jobs.ensureQueue(SANDBOX_QUEUE, { retryLimit: 5, retryDelay: 2, retryBackoff: true });
  await jobs.work<SandboxJob>(SANDBOX_QUEUE, async (job) => {
    const result = await settleInSandbox(deps, job.data.paymentId);
    if (result) log.info({ paymentId: job.data.paymentId, outcome: result.outcome }, "sandbox payment event");
  });
}
