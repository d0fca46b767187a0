import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { paymentEvents, payments } from "../../db/schema";
import type { RequestMeta } from "../audit/log";
import { DomainError, invalidInput, notFound, unavailable } from "../errors";
import { formatMoney } from "../money";
import { verifySignature } from "../security/signature";
import { emitEvent } from "../webhooks/events";
import { providerEventSchema, type WebhookResult } from "./schemas";
import type { PaymentsSettings } from "./settings";
import { failPayment, lockPaymentByReference, type SettlementDeps, settlePayment } from "./settle";

export type ProviderDelivery = {
  /** The body exactly as received: the signature covers these bytes, not a re-serialisation. */
  rawBody: string;
  /** The `BlockScore-Signature` header. */
  signature: string | null;
  /** The signature check's clock (tests move it); now by default. */
  receivedAt?: Date;
};

export type WebhookDeps = SettlementDeps & { payments: PaymentsSettings };

/** The body, parsed only after its signature held; malformed is a 400 naming the field. */
function parseEvent(rawBody: string) {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw invalidInput("PARSE_ERROR", "The request body is not valid JSON");
  }
  const parsed = providerEventSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidInput("INVALID_EVENT", issue?.message ?? "The event is malformed", {
      field: issue?.path.join("."),
    });
  }
  return parsed.data;
}

/**
 * Applies one event from the payment provider, exactly once. The signature (HMAC-SHA256 of `"<t>.<raw body>"`
 * under PAYMENTS_WEBHOOK_SECRET) and its age are checked first: a bad or stale signature is a 400 and nothing is
 * read. Then, in one transaction: the event id is recorded (a replay finds it and changes nothing), the payment
 * named by `reference` is locked, and a pending payment is settled with the amount that arrived (or failed).
 * An event for a payment already settled or failed is recorded as ignored. The sandbox provider calls this same
 * function with events it signs itself.
 */
export async function receiveProviderEvent(
  db: Database,
  meta: RequestMeta,
  deps: WebhookDeps,
  delivery: ProviderDelivery,
): Promise<WebhookResult> {
  const secret = deps.payments.webhookSecret;
  if (!secret) {
    throw unavailable(
      "PAYMENTS_UNAVAILABLE",
      "Payment events cannot be verified: PAYMENTS_WEBHOOK_SECRET is not configured",
    );
  }
  const check = verifySignature(secret, delivery.signature, delivery.rawBody, delivery.receivedAt);
  if (!check.ok) throw new DomainError("invalid_input", check.code, check.message);
  const event = parseEvent(delivery.rawBody);

  return db.transaction(async (tx) => {
    const [fresh] = await tx
      .insert(paymentEvents)
      .values({ eventId: event.eventId, type: event.type, reference: event.reference, outcome: "received" })
      .onConflictDoNothing()
      .returning({ eventId: paymentEvents.eventId });
    if (!fresh) {
      const [seen] = await tx
        .select({ paymentId: paymentEvents.paymentId, status: payments.status })
        .from(paymentEvents)
        .leftJoin(payments, eq(payments.id, paymentEvents.paymentId))
        .where(eq(paymentEvents.eventId, event.eventId));
      return {
        eventId: event.eventId,
        outcome: "duplicate",
        paymentId: seen?.paymentId ?? null,
        paymentStatus: seen?.status ?? null,
      };
    }
    const payment = await lockPaymentByReference(tx, event.reference);
    // Rolled back with the event row: the provider's retry is evaluated afresh.
    if (!payment) throw notFound("Payment with this reference");

    // A payment already settled or failed is final: the event is kept, as ignored.
    let outcome: WebhookResult["outcome"] = "ignored";
    let status = payment.status;
    if (payment.status === "pending") {
      const done =
        event.type === "payment.settled"
          ? await settlePayment(tx, meta, deps, payment, {
              amountCents: event.amount as number,
              via: "provider",
              settledBy: null,
              note: event.eventId,
            })
          : await failPayment(tx, meta, payment, event.eventId);
      if (done.status === "failed") {
        await emitEvent(tx, deps.outbox, {
          type: "payment.failed",
          orderKey: `loan:${payment.loanId}`,
          payload: {
            paymentId: payment.id,
            loanId: payment.loanId,
            userId: payment.userId,
            reference: payment.reference,
            amount: formatMoney(payment.amountCents),
            at: new Date().toISOString(),
          },
        });
      }
      outcome = event.type === "payment.settled" ? "settled" : "failed";
      status = done.status;
    }
    await tx
      .update(paymentEvents)
      .set({ paymentId: payment.id, outcome })
      .where(eq(paymentEvents.eventId, event.eventId));
    return { eventId: event.eventId, outcome, paymentId: payment.id, paymentStatus: status };
  });
}
