import { asc, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { loanInstalments, type PrepaymentChoice, payments } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import { conflict, unprocessable } from "../errors";
import type { Jobs } from "../jobs/jobs";
import { assertBorrower, type Viewer } from "../loans/access";
import { requestHash, runIdempotent } from "../loans/idempotency";
import { type PaymentView, toPaymentView } from "../loans/payment-view";
import { outstandingCents } from "../loans/repayment";
import { toInstalmentDue } from "../loans/views";
import { lockLoan } from "../loans/workflow";
import { formatMoney } from "../money";
import { enqueueSandboxSettlement } from "./sandbox";
import { storedPaymentSchema } from "./schemas";
import type { PaymentsSettings } from "./settings";

export type StartRepaymentParams = {
  loanId: string;
  amountCents: number;
  idempotencyKey: string;
  /** What a payment above what is due does: shorten the term or lower the instalment. Absent: pay ahead as scheduled. */
  prepayment?: PrepaymentChoice | null;
};

export type StartRepaymentDeps = {
  payments: PaymentsSettings;
  jobs: Jobs | null;
  idempotencyTtlHours: number;
};

/** 24 random bytes in base64url: what the provider's events quote back. Unguessable, so it names one intent. */
function newReference(): string {
  return `pay_${Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64url")}`;
}

/**
 * The borrower starts a repayment: a payment intent, `pending`, that books nothing. Money is booked only when
 * the payment settles (the provider's signed webhook, or staff who took cash). Once per idempotency key and loan;
 * only the borrower, only on a disbursed loan, and not for more than is outstanding now. With the sandbox
 * provider, its settlement is queued in the same transaction (and reaches the webhook's code path, signed).
 */
export async function startRepayment(
  db: Database,
  meta: RequestMeta,
  deps: StartRepaymentDeps,
  viewer: Viewer,
  params: StartRepaymentParams,
): Promise<{ payment: PaymentView; replayed: boolean }> {
  const call = {
    userId: viewer.id,
    scope: `loans.repay:${params.loanId}`,
    key: params.idempotencyKey,
    requestHash: requestHash({
      loanId: params.loanId,
      amountCents: params.amountCents,
      ...(params.prepayment ? { prepayment: params.prepayment } : {}),
    }),
    ttlHours: deps.idempotencyTtlHours,
  };
  const codec = { read: (stored: unknown) => storedPaymentSchema.parse(stored) };
  const { value, replayed } = await runIdempotent(db, call, codec, async (tx) => {
    const loan = await lockLoan(tx, params.loanId);
    assertBorrower(viewer, loan, "repay");
    if (loan.status !== "disbursed") {
      throw conflict(
        "LOAN_NOT_REPAYABLE",
        `The loan is ${loan.status}; only a disbursed loan takes repayments`,
        { status: loan.status },
      );
    }
    const rows = await tx
      .select()
      .from(loanInstalments)
      .where(eq(loanInstalments.loanId, loan.id))
      .orderBy(asc(loanInstalments.n));
    const outstanding = outstandingCents(rows.map(toInstalmentDue));
    if (outstanding === 0) {
      throw conflict("NOTHING_OUTSTANDING", "Nothing is outstanding on this loan", {
        outstanding: formatMoney(0),
      });
    }
    if (params.amountCents > outstanding) {
      throw unprocessable(
        "OVERPAYMENT",
        `The repayment of ${formatMoney(params.amountCents)} is more than the outstanding ${formatMoney(outstanding)}`,
        { outstanding: formatMoney(outstanding), field: "amount" },
      );
    }
    const [payment] = await tx
      .insert(payments)
      .values({
        loanId: loan.id,
        userId: viewer.id,
        amountCents: params.amountCents,
        reference: newReference(),
        idempotencyKey: params.idempotencyKey,
        prepayment: params.prepayment ?? null,
      })
      .returning();
    if (!payment) throw new Error("payment insert returned no row");
    await appendAudit(tx, meta, {
      action: "payment.started",
      subjectType: "payment",
      subjectId: payment.id,
      details: { loanId: loan.id, userId: viewer.id, amountCents: payment.amountCents },
    });
    if (deps.payments.provider === "sandbox") {
      await enqueueSandboxSettlement(deps.jobs, tx, payment, deps.payments.sandboxDelaySeconds);
    }
    return toPaymentView(payment);
  });
  return { payment: value, replayed };
}
