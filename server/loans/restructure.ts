import { and, desc, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type Loan, type LoanRestructure, loanRestructures, loans } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import type { Outbox } from "../chain/outbox";
import { conflict, DomainError, forbidden, invalidInput, notFound, unprocessable } from "../errors";
import { formatMoney, formatRate } from "../money";
import { emitEvent } from "../webhooks/events";
import { assertCanRead, type Viewer } from "./access";
import { loanBalances } from "./balances";
import { addMonthsClamped, daysBetween, isoDate, utcDay } from "./dates";
import { assessDelinquency, type DelinquencyPolicy } from "./delinquency";
import { assertBalanced, type JournalLine } from "./journal";
import { postJournal } from "./ledger";
import { ReamortisationError } from "./reamortise";
import { planRestructure, type RestructurePlan } from "./restructure-plan";
import { instalmentsOf, loanStartOf, replaceSchedule, toAccruing } from "./schedule-store";
import type { RestructureView } from "./servicing-schemas";
import { dueDateOf, toInstalmentDue } from "./views";
import { lockLoan, transitionLoan } from "./workflow";

/**
 * Restructuring with four eyes: an underwriter proposes new terms for a late or defaulted loan (a new term and/or
 * rate from an effective day, arrears capitalised or not, with a reason); a second staff member approves, and only
 * then is the schedule replaced (the old one archived), any capitalised interest and fees booked into principal,
 * and a defaulted loan brought back to `disbursed`.
 */

export type RestructureDeps = { outbox: Outbox; delinquency: DelinquencyPolicy; maxTermMonths: number };

/** Late (something unpaid past its grace days) or defaulted; anything else is 409 LOAN_NOT_RESTRUCTURABLE. */
async function assertRestructurable(
  tx: Database,
  loan: Loan,
  policy: DelinquencyPolicy,
  now: Date,
): Promise<void> {
  if (loan.status === "defaulted") return;
  if (loan.status === "disbursed") {
    const rows = await instalmentsOf(tx, loan.id);
    const late = rows.some(
      (row) =>
        row.state === "late" &&
        row.principalCents + row.interestCents > row.paidPrincipalCents + row.paidInterestCents,
    );
    if (late || assessDelinquency(rows.map(toInstalmentDue), now, policy).lateInstalments.length > 0) return;
  }
  throw conflict(
    "LOAN_NOT_RESTRUCTURABLE",
    loan.status === "disbursed"
      ? "The loan is up to date; only a late or defaulted loan can be restructured"
      : `The loan is ${loan.status}; only a late or defaulted loan can be restructured`,
    { status: loan.status },
  );
}

function assertNotBorrower(actor: Viewer, loan: Loan): void {
  if (loan.userId === actor.id) throw forbidden("You cannot restructure your own loan");
}

async function plan(
  tx: Database,
  loan: Loan,
  restructure: Pick<LoanRestructure, "effectiveDate" | "termMonths" | "aprBasisPoints" | "capitaliseArrears">,
) {
  const rows = await instalmentsOf(tx, loan.id);
  const fees = (await loanBalances(tx, loan.id)).fees_receivable;
  try {
    const result = planRestructure({
      rows: rows.map(toAccruing),
      loanStart: loanStartOf(loan),
      effectiveDate: dueDateOf(restructure.effectiveDate),
      aprBasisPoints: restructure.aprBasisPoints ?? loan.aprBasisPoints,
      scheduleType: loan.scheduleType,
      termMonths: restructure.termMonths,
      capitaliseArrears: restructure.capitaliseArrears,
      feesCents: fees,
    });
    return { rows, result };
  } catch (error) {
    if (error instanceof ReamortisationError) throw unprocessable("RESTRUCTURE_INVALID", error.message);
    throw error;
  }
}

function toRestructureView(row: LoanRestructure, preview: RestructurePlan | null): RestructureView {
  const first = preview?.schedule.add[0];
  return {
    id: row.id,
    loanId: row.loanId,
    status: row.status,
    effectiveDate: row.effectiveDate,
    termMonths: row.termMonths,
    apr: row.aprBasisPoints === null ? null : formatRate(row.aprBasisPoints),
    capitaliseArrears: row.capitaliseArrears,
    reason: row.reason,
    proposedBy: row.proposedBy,
    decidedBy: row.decidedBy,
    createdAt: row.createdAt,
    decidedAt: row.decidedAt,
    preview:
      preview && first
        ? {
            principal: formatMoney(preview.principalCents),
            monthlyPayment: formatMoney(preview.schedule.monthlyPaymentCents),
            instalments: preview.schedule.add.length,
            firstDueDate: isoDate(first.dueDate),
            capitalisedPrincipal: formatMoney(preview.capitalised.principalCents),
            capitalisedInterest: formatMoney(preview.capitalised.interestCents),
            capitalisedFees: formatMoney(preview.capitalised.feesCents),
          }
        : null,
  };
}

export type ProposeRestructureParams = {
  meta: RequestMeta;
  actor: Viewer;
  loanId: string;
  /** yyyy-mm-dd; today (UTC) when absent. */
  effectiveDate?: string;
  termMonths?: number;
  aprBasisPoints?: number;
  capitaliseArrears: boolean;
  reason: string;
  now?: Date;
};

/** Records the proposal (one pending per loan) with a preview of the new schedule; changes nothing else. */
export async function proposeRestructure(
  db: Database,
  deps: RestructureDeps,
  params: ProposeRestructureParams,
): Promise<RestructureView> {
  const now = params.now ?? new Date();
  if (params.termMonths !== undefined && params.termMonths > deps.maxTermMonths) {
    throw invalidInput("TERM_OUT_OF_RANGE", `termMonths must be at most ${deps.maxTermMonths}`, {
      field: "termMonths",
    });
  }
  return db.transaction(async (tx) => {
    const loan = await lockLoan(tx, params.loanId);
    assertNotBorrower(params.actor, loan);
    await assertRestructurable(tx, loan, deps.delinquency, now);
    const effectiveDate = params.effectiveDate ?? isoDate(now);
    const day = dueDateOf(effectiveDate);
    if (daysBetween(loanStartOf(loan), day) < 0 || day > addMonthsClamped(utcDay(now), 12)) {
      throw invalidInput(
        "INVALID_EFFECTIVE_DATE",
        "effectiveDate must be on or after the payout and at most a year ahead",
        { field: "effectiveDate" },
      );
    }
    const values = {
      effectiveDate,
      termMonths: params.termMonths ?? null,
      aprBasisPoints: params.aprBasisPoints ?? null,
      capitaliseArrears: params.capitaliseArrears,
    };
    const { result } = await plan(tx, loan, values);
    const [pending] = await tx
      .select({ id: loanRestructures.id })
      .from(loanRestructures)
      .where(and(eq(loanRestructures.loanId, loan.id), eq(loanRestructures.status, "pending")));
    if (pending) {
      throw conflict("RESTRUCTURE_PENDING", "A restructure of this loan already waits for approval", {
        restructureId: pending.id,
      });
    }
    const [row] = await tx
      .insert(loanRestructures)
      .values({
        loanId: loan.id,
        ...values,
        reason: params.reason,
        proposedBy: params.actor.id,
        createdAt: now,
      })
      .returning();
    if (!row) throw new Error("restructure insert returned no row");
    await appendAudit(tx, params.meta, {
      action: "loan.restructure_proposed",
      subjectType: "loan",
      subjectId: loan.id,
      details: { userId: loan.userId, restructureId: row.id, ...values, reason: params.reason },
    });
    return toRestructureView(row, result);
  });
}

export type DecideRestructureParams = {
  meta: RequestMeta;
  actor: Viewer;
  loanId: string;
  restructureId: string;
  now?: Date;
};

async function lockPending(tx: Database, loanId: string, restructureId: string): Promise<LoanRestructure> {
  const [row] = await tx
    .select()
    .from(loanRestructures)
    .where(and(eq(loanRestructures.id, restructureId), eq(loanRestructures.loanId, loanId)))
    .for("update");
  if (!row) throw notFound("Restructure");
  if (row.status !== "pending") {
    throw conflict("RESTRUCTURE_NOT_PENDING", `The restructure is ${row.status}`, { status: row.status });
  }
  return row;
}

/** Records the decision on a pending proposal: who decided, when, and whether it was applied or cancelled. */
async function recordDecision(
  tx: Database,
  restructureId: string,
  decision: { status: "applied" | "cancelled"; actorId: string; now: Date },
): Promise<LoanRestructure> {
  const [decided] = await tx
    .update(loanRestructures)
    .set({ status: decision.status, decidedBy: decision.actorId, decidedAt: decision.now })
    .where(eq(loanRestructures.id, restructureId))
    .returning();
  if (!decided) throw new Error("restructure update returned no row");
  return decided;
}

/** Capitalised interest and fees become principal: Dr loans_receivable / Cr interest (receivable first) and fees. */
function capitalisationLines(plan: RestructurePlan, interestReceivable: number): JournalLine[] {
  const { interestCents, feesCents } = plan.capitalised;
  const settled = Math.min(interestCents, interestReceivable);
  const candidates: JournalLine[] = [
    { account: "loans_receivable", debitCents: interestCents + feesCents, creditCents: 0 },
    { account: "interest_receivable", debitCents: 0, creditCents: settled },
    { account: "interest_income", debitCents: 0, creditCents: interestCents - settled },
    { account: "fees_receivable", debitCents: 0, creditCents: feesCents },
  ];
  const lines = candidates.filter((line) => line.debitCents + line.creditCents > 0);
  assertBalanced(lines);
  return lines;
}

/**
 * The second staff member's approval: not the proposer (403 FOUR_EYES_REQUIRED), not the borrower. The loan must
 * still be late or defaulted; the plan is recomputed on the schedule as it is now.
 */
export async function approveRestructure(
  db: Database,
  deps: RestructureDeps,
  params: DecideRestructureParams,
): Promise<RestructureView> {
  const now = params.now ?? new Date();
  return db.transaction(async (tx) => {
    const loan = await lockLoan(tx, params.loanId);
    assertNotBorrower(params.actor, loan);
    const restructure = await lockPending(tx, loan.id, params.restructureId);
    if (restructure.proposedBy === params.actor.id) {
      throw new DomainError(
        "forbidden",
        "FOUR_EYES_REQUIRED",
        "You proposed this restructure; another staff member must approve it",
      );
    }
    await assertRestructurable(tx, loan, deps.delinquency, now);
    const { rows, result } = await plan(tx, loan, restructure);
    await replaceSchedule(tx, {
      loan,
      rows,
      plan: result.schedule,
      cause: "restructure",
      restructureId: restructure.id,
      now,
      graceDays: deps.delinquency.graceDays,
    });
    const { interestCents, feesCents } = result.capitalised;
    if (interestCents + feesCents > 0) {
      const receivable = (await loanBalances(tx, loan.id)).interest_receivable;
      await postJournal(tx, {
        kind: "restructure",
        loanId: loan.id,
        description: `Restructure ${restructure.id} of loan ${loan.id}: arrears capitalised`,
        lines: capitalisationLines(result, receivable),
        postedAt: now,
      });
    }
    const decided = await recordDecision(tx, restructure.id, {
      status: "applied",
      actorId: params.actor.id,
      now,
    });
    await appendAudit(tx, params.meta, {
      action: "loan.restructured",
      subjectType: "loan",
      subjectId: loan.id,
      details: {
        userId: loan.userId,
        restructureId: restructure.id,
        proposedBy: restructure.proposedBy,
        approvedBy: params.actor.id,
        scheduleVersion: loan.scheduleVersion + 1,
        principalCents: result.principalCents,
        capitalised: result.capitalised,
      },
    });
    await emitEvent(tx, deps.outbox, {
      type: "loan.restructured",
      orderKey: `loan:${loan.id}`,
      payload: {
        loanId: loan.id,
        userId: loan.userId,
        restructureId: restructure.id,
        scheduleVersion: loan.scheduleVersion + 1,
        principal: formatMoney(result.principalCents),
        monthlyPayment: formatMoney(result.schedule.monthlyPaymentCents),
        instalments: result.schedule.add.length,
        capitalisedArrears: formatMoney(interestCents + feesCents + result.capitalised.principalCents),
        at: now.toISOString(),
      },
    });
    if (loan.status === "defaulted") {
      await transitionLoan(tx, params.meta, deps.outbox, loan, {
        to: "disbursed",
        actorId: params.actor.id,
        reason: `Restructured: ${restructure.reason}`,
        now,
      });
    }
    return toRestructureView(decided, result);
  });
}

/** A second staff member (or the proposer, withdrawing it) declines: nothing changes but the proposal's status. */
export async function cancelRestructure(
  db: Database,
  params: DecideRestructureParams,
): Promise<RestructureView> {
  const now = params.now ?? new Date();
  return db.transaction(async (tx) => {
    const loan = await lockLoan(tx, params.loanId);
    assertNotBorrower(params.actor, loan);
    const restructure = await lockPending(tx, loan.id, params.restructureId);
    const decided = await recordDecision(tx, restructure.id, {
      status: "cancelled",
      actorId: params.actor.id,
      now,
    });
    await appendAudit(tx, params.meta, {
      action: "loan.restructure_cancelled",
      subjectType: "loan",
      subjectId: loan.id,
      details: { userId: loan.userId, restructureId: restructure.id },
    });
    return toRestructureView(decided, null);
  });
}

export type ListRestructuresParams = { actor: Viewer; loanId: string };

/** The loan's restructures, newest first: staff see all of any loan; the borrower sees their own loan's. */
export async function listRestructures(
  db: Database,
  params: ListRestructuresParams,
): Promise<RestructureView[]> {
  const loan = await loanFor(db, params.actor, params.loanId);
  const rows = await db
    .select()
    .from(loanRestructures)
    .where(eq(loanRestructures.loanId, loan.id))
    .orderBy(desc(loanRestructures.createdAt));
  return rows.map((row) => toRestructureView(row, null));
}

async function loanFor(db: Database, actor: Viewer, loanId: string): Promise<Loan> {
  const [loan] = await db.select().from(loans).where(eq(loans.id, loanId));
  if (!loan) throw notFound("Loan");
  assertCanRead(actor, loan);
  return loan;
}
