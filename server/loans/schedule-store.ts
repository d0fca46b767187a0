import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import {
  type Loan,
  type LoanInstalment,
  loanInstalments,
  loanScheduleVersions,
  loans,
} from "../../db/schema";
import type { AccruingInstalment } from "./accrual";
import { isoDate } from "./dates";
import type { SchedulePlan } from "./reamortise";
import { type InstalmentAllocation, instalmentState } from "./repayment";
import { dueDateOf, toInstalmentDue } from "./views";

/** An instalment row as the accrual and re-amortisation code reads it. */
export function toAccruing(row: LoanInstalment): AccruingInstalment {
  return {
    ...toInstalmentDue(row),
    accrualStart: row.accrualStart ? dueDateOf(row.accrualStart) : null,
    accruedBeforeCents: row.accruedBeforeCents,
  };
}

export async function instalmentsOf(db: Database, loanId: string): Promise<LoanInstalment[]> {
  return db
    .select()
    .from(loanInstalments)
    .where(eq(loanInstalments.loanId, loanId))
    .orderBy(asc(loanInstalments.n));
}

/** The day interest starts on the first instalment: the payout's day. */
export function loanStartOf(loan: Loan): Date {
  if (!loan.disbursedAt) throw new Error(`loan ${loan.id} was not paid out`);
  return dueDateOf(isoDate(loan.disbursedAt));
}

export type ReplaceScheduleParams = {
  loan: Loan;
  rows: readonly LoanInstalment[];
  plan: SchedulePlan;
  cause: "prepayment" | "restructure";
  paymentId?: string;
  restructureId?: string;
  /** A payment's lines on rewritten instalments, added to what they had paid. */
  lines?: readonly InstalmentAllocation[];
  now: Date;
  graceDays: number;
};

/**
 * Archives the current schedule as the loan's version N and writes version N + 1 from the plan, with the loan's
 * new terms; in the caller's transaction, under the loan's lock.
 */
export async function replaceSchedule(tx: Database, params: ReplaceScheduleParams): Promise<Loan> {
  const { loan, rows, plan, now } = params;
  await tx.insert(loanScheduleVersions).values({
    loanId: loan.id,
    version: loan.scheduleVersion,
    cause: params.cause,
    paymentId: params.paymentId ?? null,
    restructureId: params.restructureId ?? null,
    aprBasisPoints: loan.aprBasisPoints,
    termMonths: loan.termMonths,
    monthlyPaymentCents: loan.monthlyPaymentCents,
    instalments: rows.map((row) => ({
      n: row.n,
      dueDate: row.dueDate,
      principalCents: row.principalCents,
      interestCents: row.interestCents,
      paidPrincipalCents: row.paidPrincipalCents,
      paidInterestCents: row.paidInterestCents,
      state: row.state,
      accrualStart: row.accrualStart,
      accruedBeforeCents: row.accruedBeforeCents,
    })),
    replacedAt: now,
  });
  if (plan.remove.length > 0) {
    await tx
      .delete(loanInstalments)
      .where(and(eq(loanInstalments.loanId, loan.id), inArray(loanInstalments.n, plan.remove)));
  }
  const byN = new Map(rows.map((row) => [row.n, row]));
  const lines = new Map((params.lines ?? []).map((line) => [line.n, line]));
  for (const item of plan.rewrite) {
    const row = byN.get(item.n);
    if (!row) throw new Error(`instalment ${item.n} of loan ${loan.id} is not in the schedule`);
    const paidPrincipal = row.paidPrincipalCents + (lines.get(item.n)?.principalCents ?? 0);
    const paidInterest = row.paidInterestCents + (lines.get(item.n)?.interestCents ?? 0);
    const due = {
      n: item.n,
      dueDate: item.dueDate,
      principalCents: item.principalCents,
      interestCents: item.interestCents,
      paidPrincipalCents: paidPrincipal,
      paidInterestCents: paidInterest,
    };
    const settled = paidPrincipal === item.principalCents && paidInterest === item.interestCents;
    const computed = instalmentState(due, now, params.graceDays);
    await tx
      .update(loanInstalments)
      .set({
        principalCents: item.principalCents,
        interestCents: item.interestCents,
        paidPrincipalCents: paidPrincipal,
        paidInterestCents: paidInterest,
        state: item.state ?? (computed !== "paid" && row.state === "late" ? "late" : computed),
        paidAt: settled && !item.state ? (row.paidAt ?? now) : null,
        accrualStart: item.accrualStart ? isoDate(item.accrualStart) : null,
        accruedBeforeCents: item.accruedBeforeCents,
      })
      .where(and(eq(loanInstalments.loanId, loan.id), eq(loanInstalments.n, item.n)));
  }
  if (plan.add.length > 0) {
    await tx.insert(loanInstalments).values(
      plan.add.map((item) => ({
        loanId: loan.id,
        n: item.n,
        dueDate: isoDate(item.dueDate),
        principalCents: item.principalCents,
        interestCents: item.interestCents,
        accrualStart: item.accrualStart ? isoDate(item.accrualStart) : null,
        accruedBeforeCents: item.accruedBeforeCents,
      })),
    );
  }
  const [updated] = await tx
    .update(loans)
    .set({
      scheduleVersion: sql`${loans.scheduleVersion} + 1`,
      aprBasisPoints: plan.aprBasisPoints,
      monthlyPaymentCents: plan.monthlyPaymentCents,
      termMonths: plan.termMonths,
      updatedAt: now,
    })
    .where(eq(loans.id, loan.id))
    .returning();
  if (!updated) throw new Error(`loan ${loan.id} vanished while its schedule was replaced`);
  return updated;
}
