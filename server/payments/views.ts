import type { Payment } from "../../db/schema";
import { formatMoney } from "../money";
import type { PaymentView } from "./schemas";

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
  };
}
