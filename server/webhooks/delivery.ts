import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { and, asc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "../../db/client";
import {
  type WebhookDelivery,
  webhookDeliveries,
  webhookDeliveryAttempts,
  webhookEndpoints,
  webhookEvents,
} from "../../db/schema";
import type { SecretVault } from "../auth/secret-vault";
import type { Jobs } from "../jobs/jobs";
import { describeError } from "../log-redaction";
import { SIGNATURE_HEADER, signatureHeader } from "../security/signature";
import { WEBHOOK_QUEUE, type WebhookJob } from "./events";
import { retryDelayMs, type WebhookSettings } from "./settings";
import { checkTarget } from "./target";

export type DeliveryDeps = { jobs: Jobs; vault: SecretVault; webhooks: WebhookSettings; logger: Logger };

type AttemptResult = { ok: boolean; statusCode: number | null; error: string | null; durationMs: number };

/** How long a worker holds a delivery it is sending; past it (a crashed worker) another may take it over. */
const leaseMs = (settings: WebhookSettings) => settings.timeoutMs + 30_000;

/**
 * The next delivery of the lane `delivery` belongs to (its endpoint and order key): the oldest one still
 * pending. A delivery without an order key is a lane of its own.
 */
async function laneHead(db: Database, delivery: WebhookDelivery): Promise<WebhookDelivery | null> {
  if (delivery.orderKey === null) {
    const [self] = await db
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.status, "pending")));
    return self ?? null;
  }
  const [head] = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, delivery.endpointId),
        eq(webhookDeliveries.orderKey, delivery.orderKey),
        eq(webhookDeliveries.status, "pending"),
      ),
    )
    .orderBy(asc(webhookDeliveries.seq))
    .limit(1);
  return head ?? null;
}

/** Takes the delivery for this worker if it is due and nobody holds it: one conditional update, one winner. */
async function claim(db: Database, delivery: WebhookDelivery, now: Date, settings: WebhookSettings) {
  const [claimed] = await db
    .update(webhookDeliveries)
    .set({ leaseUntil: new Date(now.getTime() + leaseMs(settings)) })
    .where(
      and(
        eq(webhookDeliveries.id, delivery.id),
        eq(webhookDeliveries.status, "pending"),
        sql`${webhookDeliveries.nextAttemptAt} <= ${now.toISOString()}::timestamptz`,
        or(isNull(webhookDeliveries.leaseUntil), lt(webhookDeliveries.leaseUntil, now)),
      ),
    )
    .returning();
  return claimed ?? null;
}

/** The request a receiver gets: the event as JSON, signed like the payment provider's events are. */
export function deliveryBody(event: { id: string; type: string; createdAt: Date; payload: unknown }): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    createdAt: event.createdAt.toISOString(),
    data: event.payload,
  });
}

async function send(
  db: Database,
  deps: Pick<DeliveryDeps, "vault" | "webhooks">,
  delivery: WebhookDelivery,
): Promise<AttemptResult> {
  const started = performance.now();
  const result = (ok: boolean, statusCode: number | null, error: string | null): AttemptResult => ({
    ok,
    statusCode,
    error,
    durationMs: Math.round(performance.now() - started),
  });
  const [row] = await db
    .select({ endpoint: webhookEndpoints, event: webhookEvents })
    .from(webhookEndpoints)
    .innerJoin(webhookEvents, eq(webhookEvents.id, delivery.eventId))
    .where(eq(webhookEndpoints.id, delivery.endpointId));
  if (!row) return result(false, null, "the endpoint or event no longer exists");
  if (row.endpoint.deletedAt) return result(false, null, "the endpoint was deleted");
  // Checked again now, after resolving: the name may point elsewhere than at registration.
  const target = await checkTarget(row.endpoint.url, deps.webhooks);
  if (!target.ok) return result(false, null, `target refused: ${target.reason}`);
  const secret = await deps.vault.open(row.endpoint.secretSealed, row.endpoint.id);
  const body = deliveryBody(row.event);
  const pinned = new URL(target.url);
  pinned.hostname = target.family === 6 ? `[${target.address}]` : target.address;
  const hostname = target.url.hostname;
  try {
    const response = await fetch(pinned, {
      method: "POST",
      headers: {
        host: target.url.host,
        "content-type": "application/json",
        "user-agent": "BlockScore-Webhooks/1",
        [SIGNATURE_HEADER]: signatureHeader(secret, body),
        "BlockScore-Event-Id": row.event.id,
        "BlockScore-Event-Type": row.event.type,
        "BlockScore-Delivery-Id": delivery.id,
      },
      body,
      // A redirect is an answer, not a new target: following it would skip the address check.
      redirect: "manual",
      signal: AbortSignal.timeout(deps.webhooks.timeoutMs),
      tls: {
        serverName: hostname,
        checkServerIdentity: (_: string, cert: PeerCertificate) => checkServerIdentity(hostname, cert),
      },
    });
    await response.body?.cancel();
    const ok = response.status >= 200 && response.status < 300;
    return result(ok, response.status, ok ? null : `the receiver answered ${response.status}`);
  } catch (error) {
    return result(false, null, describeError(error).slice(0, 500));
  }
}

/**
 * Records the attempt and the delivery's new state in one transaction: delivered; failed for good once the
 * retry window since the event has passed; or pending again with the next attempt's time and its job.
 */
async function settle(
  db: Database,
  deps: DeliveryDeps,
  delivery: WebhookDelivery,
  attempt: AttemptResult,
  now: Date,
): Promise<"succeeded" | "failed" | "retry"> {
  return db.transaction(async (tx) => {
    const attempts = delivery.attempts + 1;
    await tx.insert(webhookDeliveryAttempts).values({
      deliveryId: delivery.id,
      n: attempts,
      outcome: attempt.ok ? "succeeded" : "failed",
      statusCode: attempt.statusCode,
      error: attempt.error,
      durationMs: attempt.durationMs,
      at: now,
    });
    const common = {
      attempts,
      leaseUntil: null,
      lastStatusCode: attempt.statusCode,
      lastError: attempt.error,
    };
    if (attempt.ok) {
      await tx
        .update(webhookDeliveries)
        .set({ ...common, status: "succeeded", deliveredAt: now })
        .where(eq(webhookDeliveries.id, delivery.id));
      return "succeeded";
    }
    const next = new Date(now.getTime() + retryDelayMs(deps.webhooks, attempts));
    if (next.getTime() > delivery.createdAt.getTime() + deps.webhooks.retryWindowMs) {
      await tx
        .update(webhookDeliveries)
        .set({ ...common, status: "failed" })
        .where(eq(webhookDeliveries.id, delivery.id));
      return "failed";
    }
    await tx
      .update(webhookDeliveries)
      .set({ ...common, nextAttemptAt: next })
      .where(eq(webhookDeliveries.id, delivery.id));
    await deps.jobs.send<WebhookJob>(tx, WEBHOOK_QUEUE, { deliveryId: delivery.id }, { startAfter: next });
    return "retry";
  });
}

export type ProcessParams = { deliveryId: string };

/**
 * Works the lane of one delivery: sends its oldest pending delivery, and on success the next, until the lane is
 * empty, waiting (a scheduled retry) or held by another worker. So a loan's events reach an endpoint in order,
 * however many jobs run at once; a delivery that fails for good stops holding up those after it.
 */
export async function processDelivery(
  db: Database,
  deps: DeliveryDeps,
  params: ProcessParams,
): Promise<void> {
  const [start] = await db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.id, params.deliveryId));
  if (!start) return;
  for (;;) {
    const head = await laneHead(db, start);
    if (!head) return;
    const now = new Date();
    const claimed = await claim(db, head, now, deps.webhooks);
    if (!claimed) return;
    const attempt = await send(db, deps, claimed);
    const outcome = await settle(db, deps, claimed, attempt, new Date());
    if (outcome !== "succeeded") {
      deps.logger.warn(
        { deliveryId: claimed.id, attempt: claimed.attempts + 1, outcome, error: attempt.error },
        "webhook delivery failed",
      );
    }
    if (outcome === "retry" || start.orderKey === null) return;
  }
}

/**
 * Deliveries never tried (written where no queue ran, or whose job was lost) get a job at start-up; those
 * already retrying have theirs, sent with their next attempt's time.
 */
async function resumePending(db: Database, jobs: Jobs, logger: Logger): Promise<void> {
  const pending = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.status, "pending"), eq(webhookDeliveries.attempts, 0)))
    .orderBy(asc(webhookDeliveries.seq))
    .limit(10_000);
  for (const { id } of pending) {
    await jobs.send<WebhookJob>(db, WEBHOOK_QUEUE, { deliveryId: id });
  }
  if (pending.length > 0) logger.info({ deliveries: pending.length }, "pending webhook deliveries resumed");
}

/**
 * The delivery queue and, where workers run, its worker. pg-boss retries a job only when its worker died
 * mid-way (the delivery's own retries are jobs sent with their start time), so its limits are small.
 */
export async function startWebhookDelivery(deps: DeliveryDeps & { db: Database }): Promise<void> {
  const { jobs } = deps;
  const logger = deps.logger.child({ component: WEBHOOK_QUEUE });
  await jobs.ensureQueue(WEBHOOK_QUEUE, {
    retryLimit: 5,
    retryDelay: 60,
    retryBackoff: true,
    expireInSeconds: Math.ceil(leaseMs(deps.webhooks) / 1000) + 60,
  });
  await jobs.work<WebhookJob>(
    WEBHOOK_QUEUE,
    (job) => processDelivery(deps.db, { ...deps, logger }, { deliveryId: job.data.deliveryId }),
    { concurrency: 4 },
  );
  if (jobs.workersEnabled) {
    await resumePending(deps.db, jobs, logger).catch((error: unknown) =>
      logger.error({ err: describeError(error) }, "pending webhook deliveries not resumed"),
    );
  }
}
