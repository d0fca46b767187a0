import { z } from "zod";
import { paymentStatuses, prepaymentChoices } from "../../db/schema";
import { paymentSchema } from "../loans/payment-view";
import { moneyInput } from "../money";

/* ---------------------------------------------------------------- the provider's event */

/**
 * What the payment provider posts, signed. `amount` is what arrived (it may differ from the intent's); a
 * failure needs none.
 */
export const providerEventSchema = z
  .object({
    eventId: z
      .string({ error: "eventId is required" })
      .min(1, "eventId is required")
      .max(255, "eventId must be at most 255 characters")
      .meta({ examples: ["evt_1PqR2sT3uV"] }),
    type: z.enum(["payment.settled", "payment.failed"], {
      error: 'type must be "payment.settled" or "payment.failed"',
    }),
    reference: z
      .string({ error: "reference is required" })
      .min(1, "reference is required")
      .max(255, "reference must be at most 255 characters")
      .meta({ description: "The payment intent's reference" }),
    amount: moneyInput({ label: "amount", allowZero: false })
      .optional()
      .meta({ description: "What arrived; required for payment.settled", examples: ["888.49"] }),
  })
  .superRefine((event, ctx) => {
    if (event.type === "payment.settled" && event.amount === undefined) {
      ctx.addIssue({ code: "custom", path: ["amount"], message: "amount is required for payment.settled" });
    }
  });
export type ProviderEvent = z.infer<typeof providerEventSchema>;

export const webhookOutcomes = ["settled", "failed", "ignored", "duplicate"] as const;

export const webhookResultSchema = z.object({
  eventId: z.string(),
  outcome: z.enum(webhookOutcomes).meta({
    description:
      "settled or failed: applied now; ignored: the payment was already final; duplicate: this event id was already received",
  }),
  paymentId: z.uuid().nullable(),
  paymentStatus: z.enum(paymentStatuses).nullable(),
});
export type WebhookResult = z.infer<typeof webhookResultSchema>;

/* ---------------------------------------------------------------- payments as clients see them */

/** A stored answer read back: JSON has no dates. */
export const storedPaymentSchema = paymentSchema.extend({
  createdAt: z.coerce.date(),
  settledAt: z.coerce.date().nullable(),
  failedAt: z.coerce.date().nullable(),
  // Answers stored before prepayments existed have no choice.
  prepayment: z.enum(prepaymentChoices).nullable().default(null),
});
