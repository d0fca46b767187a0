import { and, asc, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints, webhookEvents } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import { conflict, notFound } from "../errors";
import type { Jobs } from "../jobs/jobs";
import { seqPage } from "../pagination";
import { WEBHOOK_QUEUE, type WebhookJob } from "./events";

const deliveryColumns = {
  id: webhookDeliveries.id,
  seq: webhookDeliveries.seq,
  endpointId: webhookDeliveries.endpointId,
  eventId: webhookDeliveries.eventId,
  eventType: webhookEvents.type,
  status: webhookDeliveries.status,
  attempts: webhookDeliveries.attempts,
  nextAttemptAt: webhookDeliveries.nextAttemptAt,
  lastStatusCode: webhookDeliveries.lastStatusCode,
  lastError: webhookDeliveries.lastError,
  deliveredAt: webhookDeliveries.deliveredAt,
  redeliveryOf: webhookDeliveries.redeliveryOf,
  createdAt: webhookDeliveries.createdAt,
};

export type ListDeliveriesParams = {
  endpointId?: string;
  eventId?: string;
  status?: "pending" | "succeeded" | "failed";
  cursor?: number;
  limit: number;
};

/** Newest first, by the order they were written; `nextCursor` is the last item's `seq`. */
export async function listDeliveries(db: Database, params: ListDeliveriesParams) {
  const conditions: SQL[] = [];
  if (params.endpointId) conditions.push(eq(webhookDeliveries.endpointId, params.endpointId));
  if (params.eventId) conditions.push(eq(webhookDeliveries.eventId, params.eventId));
  if (params.status) conditions.push(eq(webhookDeliveries.status, params.status));
  if (params.cursor !== undefined) conditions.push(lt(webhookDeliveries.seq, params.cursor));
  const rows = await db
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(and(...conditions))
    .orderBy(desc(webhookDeliveries.seq))
    .limit(params.limit + 1);
  const { page, nextCursor } = seqPage(rows, params.limit, (row) => row.seq);
  return { items: page, nextCursor };
}

/** One delivery with every attempt made, oldest first. */
export async function getDelivery(db: Database, params: { id: string }) {
  const [delivery] = await db
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(eq(webhookDeliveries.id, params.id));
  if (!delivery) throw notFound("Webhook delivery");
  const attempts = await db
    .select({
      n: webhookDeliveryAttempts.n,
      outcome: webhookDeliveryAttempts.outcome,
      statusCode: webhookDeliveryAttempts.statusCode,
      error: webhookDeliveryAttempts.error,
      durationMs: webhookDeliveryAttempts.durationMs,
      at: webhookDeliveryAttempts.at,
    })
    .from(webhookDeliveryAttempts)
    .where(eq(webhookDeliveryAttempts.deliveryId, params.id))
    .orderBy(asc(webhookDeliveryAttempts.n));
  return { ...delivery, attemptLog: attempts };
}

export type RedeliverParams = { id: string; meta: RequestMeta };

/**
 * Sends a delivery's event to its endpoint again, as a new delivery with the same event id (the receiver's
 * dedupe key), outside the order of its lane: it is an operator's explicit request. Audited.
 */
export async function redeliver(db: Database, deps: { jobs: Jobs | null }, params: RedeliverParams) {
  const created = await db.transaction(async (tx) => {
    const [original] = await tx
      .select({ delivery: webhookDeliveries, deletedAt: webhookEndpoints.deletedAt })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(eq(webhookDeliveries.id, params.id));
    if (!original) throw notFound("Webhook delivery");
    if (original.deletedAt) throw conflict("WEBHOOK_ENDPOINT_DELETED", "The delivery's endpoint was deleted");
    const [copy] = await tx
      .insert(webhookDeliveries)
      .values({
        eventId: original.delivery.eventId,
        endpointId: original.delivery.endpointId,
        orderKey: null,
        redeliveryOf: original.delivery.id,
      })
      .returning({ id: webhookDeliveries.id });
    if (!copy) throw new Error("webhook delivery insert returned no row");
    if (deps.jobs) await deps.jobs.send<WebhookJob>(tx, WEBHOOK_QUEUE, { deliveryId: copy.id });
    await appendAudit(tx, params.meta, {
      action: "webhook.redelivered",
      subjectType: "webhook_delivery",
      subjectId: copy.id,
      details: { redeliveryOf: original.delivery.id, eventId: original.delivery.eventId },
    });
    return copy;
  });
  return getDelivery(db, { id: created.id });
}
