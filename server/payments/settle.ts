import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { loanInstalments, type Payment, payments, repayments } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import type { Outbox } from "../chain/outbox";
import type { AmlConfig } from "../compliance/aml/config";
import { lockMovementsOf, recordMovement } from "../compliance/aml/monitoring";
import type { DelinquencyPolicy } from "../loans/delinquency";
import { repaymentEntries } from "../loans/journal";
import { postJournal } from "../loans/ledger";
import {
  allocateRepayment,
  applyAllocation,
  daysPastDue,
  instalmentRemainingCents,
  instalmentState,
  outstandingCents,
  type RepaymentAllocation,
} from "../loans/repayment";
import { toInstalmentDue } from "../loans/views";
import { lockLoan, transitionLoan } from "../loans/workflow";
import { formatMoney } from "../money";
import { emitEvent } from "../webhooks/events";

export type SettlementDeps = {
  outbox: Outbox;
  aml: AmlConfig;
  delinquency: DelinquencyPolicy;
  /** The settlement's clock; tests move it. Otherwise now, read under the borrower's movement lock. */
  now?: Date;
};

export type Settlement = {
  /** What arrived; may differ from what the intent asked. */
  amountCents: number;
  via: "provider" | "staff";
  /** The staff member who settled by hand; null for the provider. */
  settledBy: string | null;
  /** The provider's event id, or the staff member's reason. */
  note: string;
};

const nothingAllocated = (outstanding: number): RepaymentAllocation => ({
  allocations: [],
  principalCents: 0,
  interestCents: 0,
  outstandingAfterCents: outstanding,
});

/**
 * Books a pending payment the caller has locked, in the caller's transaction: the amount that arrived pays the
 * earliest instalments first, interest before principal; whatever exceeds what the schedule still asks is owed
 * back to the borrower (Cr overpayments); a smaller amount leaves the difference on the loan. Then the journal,
 * the AML movement (time taken under the borrower's movement lock, so one user's movements are evaluated in
 * commit order), the payment's new status and its audit entry, and the loan's close as `repaid` when nothing
 * remains. Runs once per payment: the caller holds the payment row and checked it is still pending.
 */
export async function settlePayment(
  tx: Database,
  meta: RequestMeta,
  deps: SettlementDeps,
  payment: Payment,
  settlement: Settlement,
): Promise<Payment> {
  if (payment.status !== "pending")
    throw new Error(`payment ${payment.id} is ${payment.status}, not pending`);
  const loan = await lockLoan(tx, payment.loanId);
  await lockMovementsOf(tx, loan.userId);
  const now = deps.now ?? new Date();

  const rows = await tx
    .select()
    .from(loanInstalments)
    .where(eq(loanInstalments.loanId, loan.id))
    .orderBy(asc(loanInstalments.n));
  const before = rows.map(toInstalmentDue);
  // A defaulted loan still takes what arrives against its schedule (a recovery); it stays defaulted.
  const owing = loan.status === "disbursed" || loan.status === "defaulted";
  const outstanding = owing ? outstandingCents(before) : 0;
  const applied = Math.min(settlement.amountCents, outstanding);
  const allocation = applied > 0 ? allocateRepayment(before, applied) : nothingAllocated(outstanding);
  const unallocatedCents = settlement.amountCents - applied;

  const after = applyAllocation(before, allocation);
  const touched = new Set(allocation.allocations.map((line) => line.n));
  for (const [index, row] of rows.entries()) {
    if (!touched.has(row.n)) continue;
    const item = after[index] as (typeof after)[number];
    const paid = instalmentRemainingCents(item) === 0;
    const paidLate = paid && daysPastDue(item, now) > deps.delinquency.graceDays;
    await tx
      .update(loanInstalments)
      .set({
        paidPrincipalCents: item.paidPrincipalCents,
        paidInterestCents: item.paidInterestCents,
        // Late stays late until paid, whatever clock the caller passes.
        state:
          !paid && row.state === "late" ? "late" : instalmentState(item, now, deps.delinquency.graceDays),
        paidAt: paid ? now : null,
        lateAt: row.lateAt ?? (paidLate ? now : null),
      })
      .where(and(eq(loanInstalments.loanId, loan.id), eq(loanInstalments.n, row.n)));
  }

  const [repayment] = await tx
    .insert(repayments)
    .values({
      loanId: loan.id,
      userId: payment.userId,
      paymentId: payment.id,
      amountCents: settlement.amountCents,
      principalCents: allocation.principalCents,
      interestCents: allocation.interestCents,
      unallocatedCents,
      allocations: allocation.allocations,
      at: now,
    })
    .returning();
  if (!repayment) throw new Error("repayment insert returned no row");
  await postJournal(tx, {
    kind: "repayment",
    loanId: loan.id,
    repaymentId: repayment.id,
    description: `Repayment ${repayment.id} (payment ${payment.id}) on loan ${loan.id}`,
    lines: repaymentEntries({ ...allocation, unallocatedCents }),
    postedAt: now,
  });
  // Directions are the borrower's: a repayment leaves them.
  await recordMovement(tx, meta, deps.aml, {
    userId: loan.userId,
    kind: "repayment",
    direction: "out",
    amountCents: settlement.amountCents,
    reference: loan.id,
    occurredAt: now,
  });
  const [settled] = await tx
    .update(payments)
    .set({
      status: "settled",
      settledAt: now,
      settledAmountCents: settlement.amountCents,
      settledVia: settlement.via,
      settledBy: settlement.settledBy,
      settlementNote: settlement.note,
    })
    .where(and(eq(payments.id, payment.id), eq(payments.status, "pending")))
    .returning();
  if (!settled) throw new Error(`payment ${payment.id} changed while it was being settled`);
  await appendAudit(tx, meta, {
    action: "payment.settled",
    subjectType: "payment",
    subjectId: payment.id,
    details: {
      loanId: loan.id,
      userId: loan.userId,
      via: settlement.via,
      settledBy: settlement.settledBy,
      note: settlement.note,
      requestedCents: payment.amountCents,
      amountCents: settlement.amountCents,
      principalCents: allocation.principalCents,
      interestCents: allocation.interestCents,
      unallocatedCents,
      outstandingAfterCents: allocation.outstandingAfterCents,
    },
  });
  await emitEvent(tx, deps.outbox, {
    type: "payment.settled",
    orderKey: `loan:${loan.id}`,
    payload: {
      paymentId: payment.id,
      loanId: loan.id,
      userId: loan.userId,
      reference: payment.reference,
      amount: formatMoney(settlement.amountCents),
      via: settlement.via,
      outstandingAfter: formatMoney(allocation.outstandingAfterCents),
      at: now.toISOString(),
    },
  });
  if (loan.status === "disbursed" && allocation.outstandingAfterCents === 0) {
    await transitionLoan(tx, meta, deps.outbox, loan, {
      to: "repaid",
      actorId: settlement.settledBy,
      reason: "Paid in full",
      now,
    });
  }
  return settled;
}

/** A pending payment that will never arrive (the provider says it failed): nothing is booked. */
export async function failPayment(
  tx: Database,
  meta: RequestMeta,
  payment: Payment,
  note: string,
): Promise<Payment> {
  const [failed] = await tx
    .update(payments)
    .set({ status: "failed", failedAt: new Date(), settlementNote: note })
    .where(and(eq(payments.id, payment.id), eq(payments.status, "pending")))
    .returning();
  if (!failed) throw new Error(`payment ${payment.id} changed while it was being failed`);
  await appendAudit(tx, meta, {
    action: "payment.failed",
    subjectType: "payment",
    subjectId: payment.id,
    details: { loanId: payment.loanId, userId: payment.userId, amountCents: payment.amountCents, note },
  });
  return failed;
}

/** The payment row under FOR UPDATE: its settlement and failure are decided one at a time. */
export async function lockPaymentByReference(tx: Database, reference: string): Promise<Payment | null> {
  const [payment] = await tx.select().from(payments).where(eq(payments.reference, reference)).for("update");
  return payment ?? null;
}

export async function lockPayment(tx: Database, paymentId: string): Promise<Payment | null> {
  const [payment] = await tx.select().from(payments).where(eq(payments.id, paymentId)).for("update");
  return payment ?? null;
}
