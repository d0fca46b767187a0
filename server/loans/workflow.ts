import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type Loan, loanInstalments, loans, loanTransitions } from "../../db/schema";
import type { LoanStatus } from "../../db/schema/loan-values";
import { appendAudit, type RequestMeta } from "../audit/log";
import { enqueueLoanStatusAnchor, type Outbox } from "../chain/outbox";
import type { AmlConfig } from "../compliance/aml/config";
import { lockMovementsOf, recordMovement } from "../compliance/aml/monitoring";
import { assertNoComplianceHold } from "../compliance/hold";
import { conflict, notFound } from "../errors";
import { formatMoney } from "../money";
import { emitEvent, type WebhookEventType } from "../webhooks/events";
import { assertBorrower, assertNotApprover, assertNotOwnLoan, type Viewer } from "./access";
import { type AdverseActionNotice, type Creditor, issueRejectionNotice } from "./adverse-action";
import { isoDate } from "./dates";
import { disbursementEntries } from "./journal";
import { postJournal } from "./ledger";
import { canTransition, closedStatuses, IllegalTransitionError, nextStatuses } from "./status";
import { loanPrincipalCents, quotedSchedule } from "./views";

/** The loan row under FOR UPDATE: status changes and repayments of one loan run one at a time. */
export async function lockLoan(tx: Database, loanId: string): Promise<Loan> {
  const [loan] = await tx.select().from(loans).where(eq(loans.id, loanId)).for("update");
  if (!loan) throw notFound("Loan");
  return loan;
}

export type TransitionParams = {
  to: LoanStatus;
  /** Null when the system (the delinquency job) moves the loan. */
  actorId: string | null;
  reason?: string | null;
  now: Date;
  /** The adverse-action notice a credit rejection owes the applicant; its event carries it to client apps. */
  notice?: AdverseActionNotice;
};

const timestampFor: Partial<Record<LoanStatus, "approvedAt" | "disbursedAt">> = {
  approved: "approvedAt",
  disbursed: "disbursedAt",
};

/**
 * Moves a locked loan to `to` if the transition table allows it; otherwise 409 ILLEGAL_TRANSITION naming the
 * current status. Records who, when and why, audits it and queues the on-chain status record, all in `tx`.
 * The update is also conditional on the status read, so even an unlocked caller could not skip a state.
 */
export async function transitionLoan(
  tx: Database,
  meta: RequestMeta,
  outbox: Outbox,
  loan: Loan,
  params: TransitionParams,
): Promise<Loan> {
  const { to, now } = params;
  if (!canTransition(loan.status, to)) {
    const error = new IllegalTransitionError(loan.status, to);
    throw conflict(error.code, error.message, {
      status: loan.status,
      allowed: [...nextStatuses(loan.status)],
    });
  }
  const stamp = timestampFor[to];
  const [updated] = await tx
    .update(loans)
    .set({
      status: to,
      updatedAt: now,
      // A restructured loan goes back to `disbursed`: it keeps its first payout's time and is open again.
      ...(stamp && !loan[stamp] ? { [stamp]: now } : {}),
      ...(closedStatuses.includes(to)
        ? { closedAt: now }
        : closedStatuses.includes(loan.status)
          ? { closedAt: null }
          : {}),
    })
    .where(and(eq(loans.id, loan.id), eq(loans.status, loan.status)))
    .returning();
  if (!updated) {
    throw conflict("ILLEGAL_TRANSITION", "The loan changed status meanwhile; read it again", {
      status: loan.status,
    });
  }
  await recordTransition(tx, meta, outbox, updated, { from: loan.status, ...params });
  return updated;
}

/** The history row, the audit entry and the chain record of a status the loan just took (creation included). */
export async function recordTransition(
  tx: Database,
  meta: RequestMeta,
  outbox: Outbox,
  loan: Loan,
  params: TransitionParams & { from: LoanStatus | null },
): Promise<void> {
  const reason = params.reason ?? null;
  await tx.insert(loanTransitions).values({
    loanId: loan.id,
    fromStatus: params.from,
    toStatus: params.to,
    actorId: params.actorId,
    reason,
    at: params.now,
  });
  await appendAudit(tx, meta, {
    action: `loan.${params.to}`,
    subjectType: "loan",
    subjectId: loan.id,
    details: { userId: loan.userId, from: params.from, to: params.to, reason, amountCents: loan.amountCents },
  });
  await enqueueLoanStatusAnchor(outbox, tx, {
    loanId: loan.id,
    userId: loan.userId,
    amountCents: loan.amountCents,
    termMonths: loan.termMonths,
    status: params.to,
  });
  const event = loanEvents[params.to];
  if (event) {
    await emitEvent(tx, outbox, {
      type: event,
      orderKey: `loan:${loan.id}`,
      payload: {
        loanId: loan.id,
        userId: loan.userId,
        status: params.to,
        previousStatus: params.from,
        amount: formatMoney(loan.amountCents),
        termMonths: loan.termMonths,
        reason,
        at: params.now.toISOString(),
        ...(params.notice ? { notice: params.notice } : {}),
      },
    });
  }
}

/** The webhook event of each status a client app hears of (a withdrawal is the applicant's own doing). */
const loanEvents: Partial<Record<LoanStatus, WebhookEventType>> = {
  submitted: "loan.submitted",
  approved: "loan.approved",
  rejected: "loan.rejected",
  disbursed: "loan.disbursed",
  repaid: "loan.repaid",
  defaulted: "loan.defaulted",
  written_off: "loan.written_off",
};

export type DecisionParams = { loanId: string; reason?: string | null; now?: Date };

/** submitted → approved. The schedule's amounts are written now and never change; the dates come at disbursement. */
export async function approveLoan(
  db: Database,
  meta: RequestMeta,
  outbox: Outbox,
  viewer: Viewer,
  params: DecisionParams,
): Promise<Loan> {
  const now = params.now ?? new Date();
  return db.transaction(async (tx) => {
    const loan = await lockLoan(tx, params.loanId);
    assertNotOwnLoan(viewer, loan);
    const approved = await transitionLoan(tx, meta, outbox, loan, {
      to: "approved",
      actorId: viewer.id,
      reason: params.reason,
      now,
    });
    const schedule = quotedSchedule(approved, now);
    await tx.insert(loanInstalments).values(
      schedule.instalments.map((item) => ({
        loanId: approved.id,
        n: item.n,
        principalCents: item.principalCents,
        interestCents: item.interestCents,
      })),
    );
    return approved;
  });
}

export type RejectParams = DecisionParams & {
  reason: string;
  /** A refusal on the application's credit merits, which owes the applicant an adverse-action notice. */
  creditReason: boolean;
  creditor: Creditor;
};

/** submitted → rejected, with the reason the applicant is told, and its adverse-action notice when one is owed. */
export async function rejectLoan(
  db: Database,
  meta: RequestMeta,
  outbox: Outbox,
  viewer: Viewer,
  params: RejectParams,
): Promise<Loan> {
  const now = params.now ?? new Date();
  return db.transaction(async (tx) => {
    const loan = await lockLoan(tx, params.loanId);
    assertNotOwnLoan(viewer, loan);
    // Written before the transition so its event can carry it; an illegal transition rolls both back. Only for a
    // legal one: a second reject would otherwise meet the first notice (one per loan) and fail instead of a 409.
    const notice =
      params.creditReason && canTransition(loan.status, "rejected")
        ? await issueRejectionNotice(tx, params, { loan, reason: params.reason, now })
        : undefined;
    return transitionLoan(tx, meta, outbox, loan, {
      to: "rejected",
      actorId: viewer.id,
      reason: params.reason,
      now,
      notice,
    });
  });
}

/** submitted or approved → withdrawn, by the applicant. */
export async function withdrawLoan(
  db: Database,
  meta: RequestMeta,
  outbox: Outbox,
  viewer: Viewer,
  params: DecisionParams,
): Promise<Loan> {
  const now = params.now ?? new Date();
  return db.transaction(async (tx) => {
    const loan = await lockLoan(tx, params.loanId);
    assertBorrower(viewer, loan, "withdraw");
    return transitionLoan(tx, meta, outbox, loan, {
      to: "withdrawn",
      actorId: viewer.id,
      reason: params.reason ?? "Withdrawn by the applicant",
      now,
    });
  });
}

export type DisburseDeps = {
  outbox: Outbox;
  aml: AmlConfig;
  /** LOAN_FOUR_EYES: the approver may not also disburse (403 FOUR_EYES_REQUIRED). */
  fourEyes: boolean;
};

/**
 * approved → disbursed: the schedule's due dates start now (the first one month on), the principal is booked
 * (Dr loans_receivable / Cr cash for the payout / Cr fee_income for the origination fee) and the payout goes
 * through AML monitoring, all in one transaction. With four eyes on, the member of staff who approved the loan
 * cannot pay it out.
 */
export async function disburseLoan(
  db: Database,
  meta: RequestMeta,
  deps: DisburseDeps,
  viewer: Viewer,
  params: DecisionParams,
): Promise<Loan> {
  return db.transaction(async (tx) => {
    const loan = await lockLoan(tx, params.loanId);
    assertNotOwnLoan(viewer, loan);
    // Only an approved loan is paid out; `defaulted → disbursed` is the restructure's move, not a second payout.
    if (loan.status !== "approved") {
      const error = new IllegalTransitionError(loan.status, "disbursed");
      const message = canTransition(loan.status, "disbursed")
        ? `The loan is ${loan.status}; it goes back to disbursed only by a restructure`
        : error.message;
      throw conflict(error.code, message, { status: loan.status, allowed: [...nextStatuses(loan.status)] });
    }
    if (deps.fourEyes) await assertNotApprover(tx, viewer, loan);
    await assertNoComplianceHold(tx, { userId: loan.userId });
    // The payout's time is read under the borrower's movement lock: AML sees their movements in commit order.
    await lockMovementsOf(tx, loan.userId);
    const now = params.now ?? new Date();
    const disbursed = await transitionLoan(tx, meta, deps.outbox, loan, {
      to: "disbursed",
      actorId: viewer.id,
      reason: params.reason,
      now,
    });
    const dated = quotedSchedule(disbursed, now).instalments.map(
      (item) => sql`(${item.n}::integer, ${isoDate(item.dueDate)}::date)`,
    );
    await tx.execute(sql`
      update ${loanInstalments} set due_date = dated.due
      from (values ${sql.join(dated, sql`, `)}) as dated(n, due)
      where ${loanInstalments.loanId} = ${loan.id} and ${loanInstalments.n} = dated.n`);
    await postJournal(tx, {
      kind: "disbursement",
      loanId: loan.id,
      description: `Disbursement of loan ${loan.id}`,
      lines: disbursementEntries(loanPrincipalCents(loan), loan.originationFeeCents),
      postedAt: now,
    });
    // Directions are the borrower's: a payout reaches them ("in"), a repayment leaves them ("out").
    await recordMovement(tx, meta, deps.aml, {
      userId: loan.userId,
      kind: "disbursement",
      direction: "in",
      amountCents: loanPrincipalCents(loan) - loan.originationFeeCents,
      reference: loan.id,
      occurredAt: now,
    });
    return disbursed;
  });
}
