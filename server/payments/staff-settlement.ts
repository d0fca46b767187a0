import type { Database } from "../../db/client";
import type { RequestMeta } from "../audit/log";
import { conflict, forbidden, notFound } from "../errors";
import type { Viewer } from "../loans/access";
import { type PaymentView, toPaymentView } from "../loans/payment-view";
import { lockPayment, type SettlementDeps, settlePayment } from "./settle";

export type StaffSettlementParams = {
  loanId: string;
  paymentId: string;
  /** Why it is settled by hand, e.g. the branch receipt number; audited. */
  reason: string;
  /** What was received; the intent's amount when omitted. */
  amountCents?: number;
};

/**
 * An underwriter or admin settles a pending payment whose money they received (cash at a branch), with a reason:
 * the same booking as the provider's event, audited with who did it. Never on one's own loan; a payment already
 * settled or failed is a 409.
 */
export async function settleByStaff(
  db: Database,
  meta: RequestMeta,
  deps: SettlementDeps,
  viewer: Viewer,
  params: StaffSettlementParams,
): Promise<PaymentView> {
  return db.transaction(async (tx) => {
    const payment = await lockPayment(tx, params.paymentId);
    if (!payment || payment.loanId !== params.loanId) throw notFound("Payment");
    if (payment.userId === viewer.id) throw forbidden("You cannot settle a payment on your own loan");
    if (payment.status !== "pending") {
      throw conflict("PAYMENT_NOT_PENDING", `The payment is already ${payment.status}`, {
        status: payment.status,
      });
    }
    const settled = await settlePayment(tx, meta, deps, payment, {
      amountCents: params.amountCents ?? payment.amountCents,
      via: "staff",
      settledBy: viewer.id,
      note: params.reason,
    });
    return toPaymentView(settled);
  });
}
