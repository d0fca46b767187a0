import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  type Loan,
  type LoanInstalment,
  loanInstalments,
  type Payment,
  payments,
  repayments,
} from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import type { Outbox } from "../chain/outbox";
import type { AmlConfig } from "../compliance/aml/config";
import { lockMovementsOf, recordMovement } from "../compliance/aml/monitoring";
import { loanBalances } from "../loans/balances";
import type { DelinquencyPolicy } from "../loans/delinquency";
import { assertBalanced, type JournalLine, repaymentEntries } from "../loans/journal";
import { postJournal } from "../loans/ledger";
import { planPrepayment } from "../loans/prepayment";
import {
  allocateRepayment,
  applyAllocation,
  daysPastDue,
  instalmentRemainingCents,
  instalmentState,
  outstandingCents,
  type RepaymentAllocation,
} from "../loans/repayment";
import { loanStartOf, replaceSchedule, toAccruing } from "../loans/schedule-store";
import { toInstalmentDue } from "../loans/views";
import { lockLoan, transitionLoan } from "../loans/workflow";
import { bookRecovery } from "../loans/write-off";
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
 * earliest instalments first, interest before principal (or, when the borrower chose a prepayment, what is due
 * and then the principal, re-amortising the schedule); whatever exceeds what is owed goes back to the borrower
 * (Cr overpayments); a smaller amount leaves the difference on the loan. On a written-off loan it is a recovery
 * (Dr cash / Cr loan_losses). Then the journal,
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
  const booked: Booked =
    loan.status === "written_off"
      ? await bookRecovery(tx, {
          loan,
          amountCents: settlement.amountCents,
          description: `Recovery (payment ${payment.id}) on written-off loan ${loan.id}`,
          now,
        }).then((recovery) => ({
          allocation: nothingAllocated(0),
          unallocatedCents: recovery.surplusCents,
          feesCents: 0,
        }))
      : await bookRepayment(tx, { loan, payment, rows, amountCents: settlement.amountCents, now, deps });
  const { allocation, unallocatedCents, feesCents } = booked;
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
      feesCents,
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

/** How a settled payment was booked: its split over the schedule, fees paid, and what was beyond it all. */
type Booked = { allocation: RepaymentAllocation; unallocatedCents: number; feesCents: number };

type BookRepaymentParams = {
  loan: Loan;
  payment: Payment;
  rows: LoanInstalment[];
  amountCents: number;
  now: Date;
  deps: SettlementDeps;
};

/** The repayment's lines, and the fees it paid: Dr cash / Cr fees_receivable. */
function withFees(split: RepaymentAllocation, unallocatedCents: number, feesCents: number): JournalLine[] {
  const moved = split.principalCents + split.interestCents + unallocatedCents;
  const lines = moved > 0 ? repaymentEntries({ ...split, unallocatedCents }) : [];
  if (feesCents === 0) return lines;
  const cash = lines.find((line) => line.account === "cash");
  if (cash) cash.debitCents += feesCents;
  else lines.unshift({ account: "cash", debitCents: feesCents, creditCents: 0 });
  lines.push({ account: "fees_receivable", debitCents: 0, creditCents: feesCents });
  assertBalanced(lines);
  return lines;
}

/**
 * Applies what arrived to the schedule and books it (the repayment row and its journal entry). A payment whose
 * borrower chose a prepayment pays what is due, fees receivable and the interest accrued so far, then reduces the principal, and
 * the schedule is re-amortised (the old one archived); otherwise it pays the next instalments as scheduled.
 */
async function bookRepayment(tx: Database, params: BookRepaymentParams): Promise<Booked> {
  const { loan, payment, rows, now, deps } = params;
  const before = rows.map(toInstalmentDue);
  // A defaulted loan still takes what arrives against its schedule (a recovery); it stays defaulted.
  const owing = loan.status === "disbursed" || loan.status === "defaulted";
  const outstanding = owing ? outstandingCents(before) : 0;
  const prepayment =
    payment.prepayment && loan.status === "disbursed" && outstanding > 0
      ? planPrepayment({
          feesCents: (await loanBalances(tx, loan.id)).fees_receivable,
          rows: rows.map(toAccruing),
          loanStart: loanStartOf(loan),
          day: now,
          amountCents: params.amountCents,
          choice: payment.prepayment,
          terms: loan,
        })
      : null;
  const applied = prepayment ? 0 : Math.min(params.amountCents, outstanding);
  const allocation =
    prepayment?.allocation ??
    (applied > 0 ? allocateRepayment(before, applied) : nothingAllocated(outstanding));
  const unallocatedCents = prepayment ? prepayment.unallocatedCents : params.amountCents - applied;
  const feesCents = prepayment?.feesCents ?? 0;
  const rewritten = new Set(prepayment?.schedule?.rewrite.map((item) => item.n) ?? []);

  const after = applyAllocation(before, allocation);
  const touched = new Set(allocation.allocations.map((line) => line.n));
  for (const [index, row] of rows.entries()) {
    if (!touched.has(row.n) || rewritten.has(row.n)) continue;
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
  if (prepayment?.schedule) {
    await replaceSchedule(tx, {
      loan,
      rows,
      plan: prepayment.schedule,
      cause: "prepayment",
      paymentId: payment.id,
      lines: allocation.allocations.filter((line) => rewritten.has(line.n)),
      now,
      graceDays: deps.delinquency.graceDays,
    });
  }

  const [repayment] = await tx
    .insert(repayments)
    .values({
      loanId: loan.id,
      userId: payment.userId,
      paymentId: payment.id,
      amountCents: params.amountCents,
      principalCents: allocation.principalCents,
      interestCents: allocation.interestCents,
      unallocatedCents,
      feesCents,
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
    lines: withFees(allocation, unallocatedCents, feesCents),
    postedAt: now,
  });
  return { allocation, unallocatedCents, feesCents };
}
