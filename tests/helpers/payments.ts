import { eq } from "drizzle-orm";
import { type Payment, payments } from "../../db/schema";
import { amlConfig } from "../../server/compliance/aml/monitoring";
import type { AppDeps } from "../../server/context";
import { loanSettings } from "../../server/loans/settings";
import { receiveProviderEvent, type WebhookDeps } from "../../server/payments/webhook";
import { signatureHeader } from "../../server/security/signature";

export type ProviderEventBody = {
  eventId: string;
  type: "payment.settled" | "payment.failed";
  reference: string;
  amount?: string;
};

/** What settling needs from the app, as the webhook procedure builds it. */
export function webhookDeps(deps: AppDeps, now?: Date): WebhookDeps {
  return {
    outbox: { chain: deps.chain, jobs: deps.jobs },
    aml: amlConfig(deps.config),
    delinquency: loanSettings(deps.config).delinquency,
    payments: deps.payments,
    now,
  };
}

/** The app's webhook secret: the test environment generates one per process. */
export function webhookSecret(deps: AppDeps): string {
  const secret = deps.payments.webhookSecret;
  if (!secret) throw new Error("the test app has no payment webhook secret");
  return secret;
}

/** A provider event as the provider sends it: the exact body and its signature header. */
export function signedEvent(secret: string, event: ProviderEventBody, at: Date = new Date()) {
  const rawBody = JSON.stringify(event);
  return { rawBody, signature: signatureHeader(secret, rawBody, at) };
}

export const newEventId = () => `evt_${crypto.randomUUID().replaceAll("-", "")}`;

export async function paymentRow(deps: AppDeps, paymentId: string): Promise<Payment> {
  const [row] = await deps.db.select().from(payments).where(eq(payments.id, paymentId));
  if (!row) throw new Error(`no payment ${paymentId}`);
  return row;
}

/**
 * The provider's settlement of a payment intent, delivered to the webhook's own function (signature, replay and
 * settlement checks included), as the sandbox delivers it. `amount` defaults to the intent's; `now` moves the
 * settlement's clock (late payments).
 */
export async function settleAsProvider(
  deps: AppDeps,
  payment: { reference: string; amount: string },
  options: { amount?: string; now?: Date } = {},
) {
  const { rawBody, signature } = signedEvent(webhookSecret(deps), {
    eventId: newEventId(),
    type: "payment.settled",
    reference: payment.reference,
    amount: options.amount ?? payment.amount,
  });
  const meta = { actorId: null, ip: null, requestId: "test:webhook" };
  return receiveProviderEvent(deps.db, meta, webhookDeps(deps, options.now), { rawBody, signature });
}
