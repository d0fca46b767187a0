import { and, arrayContains, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { webhookDeliveries, webhookEndpoints, webhookEvents } from "../../db/schema";
import type { Jobs } from "../jobs/jobs";

/** Every event a client app may subscribe to (some are emitted by the servicing work as it lands). */
export const webhookEventTypes = [
  "loan.submitted",
  "loan.approved",
  "loan.rejected",
  "loan.disbursed",
  "loan.repaid",
  "loan.late",
  "loan.defaulted",
  "loan.restructured",
  "loan.written_off",
  "payment.settled",
  "payment.failed",
  "kyc.decided",
  "score.calculated",
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export const WEBHOOK_QUEUE = "webhooks.deliver";
export type WebhookJob = { deliveryId: string };

/** What emitting needs: the job queue, which takes the delivery jobs inside the caller's transaction. */
export type EmitDeps = { jobs?: Jobs | null };

export type EmitParams = {
  type: WebhookEventType;
  /** What the receiver gets as `data`: ids, statuses, money as decimal strings; nothing secret. */
  payload: Record<string, unknown>;
  /** Events of one key (`loan:<id>`, `user:<id>`) reach each endpoint in the order they were emitted. */
  orderKey: string | null;
};

/**
 * Records an event for every endpoint subscribed to its type: the event, one delivery row per endpoint and
 * one delivery job each, all in `tx`, so they exist exactly when the change that caused them commits. Returns
 * the event id, or null when nobody subscribes. Without a job queue the rows wait for the next worker start.
 */
export async function emitEvent(tx: Database, deps: EmitDeps, params: EmitParams): Promise<string | null> {
  const endpoints = await tx
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(isNull(webhookEndpoints.deletedAt), arrayContains(webhookEndpoints.events, [params.type])));
  if (endpoints.length === 0) return null;
  const [event] = await tx
    .insert(webhookEvents)
    .values({ type: params.type, payload: params.payload, orderKey: params.orderKey })
    .returning({ id: webhookEvents.id });
  if (!event) throw new Error("webhook event insert returned no row");
  const deliveries = await tx
    .insert(webhookDeliveries)
    .values(
      endpoints.map((endpoint) => ({
        eventId: event.id,
        endpointId: endpoint.id,
        orderKey: params.orderKey,
      })),
    )
    .returning({ id: webhookDeliveries.id });
  if (deps.jobs) {
    for (const delivery of deliveries) {
      await deps.jobs.send<WebhookJob>(tx, WEBHOOK_QUEUE, { deliveryId: delivery.id });
    }
  }
  return event.id;
}
