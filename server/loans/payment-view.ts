import { z } from "zod";
import { type Payment, paymentSettlementSources, paymentStatuses, prepaymentChoices } from "../../db/schema";
import { formatMoney, moneySchema } from "../money";

/* A payment as a loan's detail and the payments domain show it: the loans domain owns it, the payments domain sits above. */

export const paymentSchema = z.object({
  id: z.uuid(),
  loanId: z.uuid(),
  amount: moneySchema.meta({ description: "What the borrower started to pay" }),
  status: z.enum(paymentStatuses),
  reference: z.string().meta({ description: "What the payment provider's events name" }),
  createdAt: z.date(),
  settledAt: z.date().nullable(),
  settledAmount: moneySchema.nullable().meta({ description: "What arrived and was booked" }),
  settledVia: z.enum(paymentSettlementSources).nullable(),
  failedAt: z.date().nullable(),
  prepayment: z.enum(prepaymentChoices).nullable().meta({
    description: "The borrower's choice for a payment above what is due; null: paid ahead as scheduled",
  }),
});
export type PaymentView = z.infer<typeof paymentSchema>;

export function toPaymentView(payment: Payment): PaymentView {
  return {
    id: payment.id,
    loanId: payment.loanId,
    amount: formatMoney(payment.amountCents),
    status: payment.status,
    reference: payment.reference,
    createdAt: payment.createdAt,
    settledAt: payment.settledAt,
    settledAmount: payment.settledAmountCents === null ? null : formatMoney(payment.settledAmountCents),
    settledVia: payment.settledVia,
    failedAt: payment.failedAt,
    prepayment: payment.prepayment,
  };
}
