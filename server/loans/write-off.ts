import { and, eq, like } from "drizzle-orm";
import type { Database } from "../../db/client";
import { journalEntries, journalLines, type Loan, loanRestructures, payments } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import type { Outbox } from "../chain/outbox";
import type { AmlConfig } from "../compliance/aml/config";
import { lockMovementsOf, recordMovement } from "../compliance/aml/monitoring";
import { conflict, forbidden, unprocessable } from "../errors";
import { formatMoney } from "../money";
import { assertCanRead, type Viewer } from "./access";
import { loanBalances } from "./balances";
import { assertBalanced, type JournalLine } from "./journal";
import { postJournal } from "./ledger";
import { lockLoan, transitionLoan } from "./workflow";

/**
 * Write-off and recoveries. Writing off a defaulted loan moves what its books still hold as owed (principal, and
 * any interest or fees receivable) to the loss account: Dr loan_losses / Cr loans_receivable (and the others).
 * Money that arrives later is a recovery: Dr cash / Cr loan_losses, up to the loss still standing; anything
 * beyond is owed back to the borrower (Cr overpayments).
 */

const line = (account: JournalLine["account"], debitCents: number, creditCents: number): JournalLine => ({
  account,
  debitCents,
  creditCents,
});

export type WriteOffView = {
  loanId: string;
  status: Loan["status"];
  principal: string;
  interest: string;
  fees: string;
  total: string;
  journalEntryId: string;
};

export type WriteOffParams = {
  meta: RequestMeta;
  actor: Viewer;
  loanId: string;
  reason: string;
  now?: Date;
};

/** defaulted → written_off, with the balanced loss entry, in one transaction; audited by the transition. */
export async function writeOffLoan(
  db: Database,
  deps: { outbox: Outbox },
  params: WriteOffParams,
): Promise<WriteOffView> {
  const now = params.now ?? new Date();
  return db.transaction(async (tx) => {
    const loan = await lockLoan(tx, params.loanId);
    if (loan.userId === params.actor.id) throw forbidden("You cannot write off your own loan");
    const written = await transitionLoan(tx, params.meta, deps.outbox, loan, {
      to: "written_off",
      actorId: params.actor.id,
      reason: params.reason,
      now,
    });
    const balances = await loanBalances(tx, loan.id);
    const principal = balances.loans_receivable;
    const interest = balances.interest_receivable;
    const fees = balances.fees_receivable;
    const total = principal + interest + fees;
    if (total <= 0) {
      throw conflict("NOTHING_TO_WRITE_OFF", "The loan's books show nothing owed to write off");
    }
    const lines = [
      line("loan_losses", total, 0),
      line("loans_receivable", 0, principal),
      line("interest_receivable", 0, interest),
      line("fees_receivable", 0, fees),
    ].filter((item) => item.debitCents + item.creditCents > 0);
    assertBalanced(lines);
    const journalEntryId = await postJournal(tx, {
      kind: "write_off",
      loanId: loan.id,
      description: `Write-off of loan ${loan.id}: ${params.reason}`,
      lines,
      postedAt: now,
    });
    // A restructure waiting for its second approver no longer applies.
    await tx
      .update(loanRestructures)
      .set({ status: "cancelled", decidedAt: now, decidedBy: params.actor.id })
      .where(and(eq(loanRestructures.loanId, loan.id), eq(loanRestructures.status, "pending")));
    await appendAudit(tx, params.meta, {
      action: "loan.write_off_posted",
      subjectType: "loan",
      subjectId: loan.id,
      details: {
        userId: loan.userId,
        principalCents: principal,
        interestCents: interest,
        feesCents: fees,
        journalEntryId,
      },
    });
    return {
      loanId: loan.id,
      status: written.status,
      principal: formatMoney(principal),
      interest: formatMoney(interest),
      fees: formatMoney(fees),
      total: formatMoney(total),
      journalEntryId,
    };
  });
}

export type RecoveryBooking = { recoveredCents: number; surplusCents: number; lossRemainingCents: number };

/**
 * Books money received on a written-off loan, in the caller's transaction under the loan's lock: Dr cash, Cr
 * loan_losses up to the loss still standing, Cr overpayments for the rest.
 */
export async function bookRecovery(
  tx: Database,
  params: { loan: Loan; amountCents: number; description: string; now: Date },
): Promise<RecoveryBooking> {
  const { loan, amountCents } = params;
  const loss = (await loanBalances(tx, loan.id)).loan_losses;
  const recovered = Math.min(amountCents, Math.max(0, loss));
  const surplus = amountCents - recovered;
  const lines = [
    line("cash", amountCents, 0),
    line("loan_losses", 0, recovered),
    line("overpayments", 0, surplus),
  ].filter((item) => item.debitCents + item.creditCents > 0);
  await postJournal(tx, {
    kind: "recovery",
    loanId: loan.id,
    description: params.description,
    lines,
    postedAt: params.now,
  });
  return { recoveredCents: recovered, surplusCents: surplus, lossRemainingCents: loss - recovered };
}

export type RecoveryView = {
  loanId: string;
  paymentId: string;
  amount: string;
  recovered: string;
  surplus: string;
  lossRemaining: string;
  replayed: boolean;
};

export type RecordRecoveryParams = {
  meta: RequestMeta;
  actor: Viewer;
  loanId: string;
  amountCents: number;
  reason: string;
  idempotencyKey: string;
  now?: Date;
};

/**
 * Staff record money received on a written-off loan (a collection agency's remittance, cash at a branch): a
 * settled payment in the borrower's name and its recovery entry, once per idempotency key.
 */
export async function recordRecovery(
  db: Database,
  deps: { aml: AmlConfig },
  params: RecordRecoveryParams,
): Promise<RecoveryView> {
  return db.transaction(async (tx) => {
    const loan = await lockLoan(tx, params.loanId);
    assertCanRead(params.actor, loan);
    if (loan.userId === params.actor.id) throw forbidden("You cannot record a recovery on your own loan");
    const [existing] = await tx
      .select()
      .from(payments)
      .where(and(eq(payments.loanId, loan.id), eq(payments.idempotencyKey, params.idempotencyKey)));
    if (existing) {
      if (existing.amountCents !== params.amountCents || existing.settledVia !== "staff") {
        throw unprocessable("IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for another payment");
      }
      const booking = await bookedRecovery(tx, loan.id, existing.id);
      return recoveryView(
        loan.id,
        existing.id,
        params.amountCents,
        booking,
        booking.lossRemainingCents,
        true,
      );
    }
    if (loan.status !== "written_off") {
      throw conflict(
        "LOAN_NOT_WRITTEN_OFF",
        `The loan is ${loan.status}; recoveries post against a written-off loan`,
        {
          status: loan.status,
        },
      );
    }
    await lockMovementsOf(tx, loan.userId);
    const now = params.now ?? new Date();
    const [payment] = await tx
      .insert(payments)
      .values({
        loanId: loan.id,
        userId: loan.userId,
        amountCents: params.amountCents,
        reference: `rec_${crypto.randomUUID().replaceAll("-", "")}`,
        idempotencyKey: params.idempotencyKey,
        status: "settled",
        createdAt: now,
        settledAt: now,
        settledAmountCents: params.amountCents,
        settledVia: "staff",
        settledBy: params.actor.id,
        settlementNote: params.reason,
      })
      .returning();
    if (!payment) throw new Error("payment insert returned no row");
    const booking = await bookRecovery(tx, {
      loan,
      amountCents: params.amountCents,
      description: `Recovery (payment ${payment.id}) on written-off loan ${loan.id}: ${params.reason}`,
      now,
    });
    await recordMovement(tx, params.meta, deps.aml, {
      userId: loan.userId,
      kind: "repayment",
      direction: "out",
      amountCents: params.amountCents,
      reference: loan.id,
      occurredAt: now,
    });
    await appendAudit(tx, params.meta, {
      action: "loan.recovery_recorded",
      subjectType: "loan",
      subjectId: loan.id,
      details: { userId: loan.userId, paymentId: payment.id, amountCents: params.amountCents, ...booking },
    });
    return recoveryView(loan.id, payment.id, params.amountCents, booking, booking.lossRemainingCents, false);
  });
}

/** How an earlier recovery was booked, read back from its journal entry (a replayed request answers the same). */
async function bookedRecovery(tx: Database, loanId: string, paymentId: string): Promise<RecoveryBooking> {
  const lines = await tx
    .select({ account: journalLines.account, creditCents: journalLines.creditCents })
    .from(journalLines)
    .innerJoin(journalEntries, eq(journalEntries.id, journalLines.entryId))
    .where(
      and(
        eq(journalEntries.loanId, loanId),
        eq(journalEntries.kind, "recovery"),
        like(journalEntries.description, `%(payment ${paymentId})%`),
      ),
    );
  const credited = (account: JournalLine["account"]) =>
    lines.filter((line) => line.account === account).reduce((sum, line) => sum + line.creditCents, 0);
  return {
    recoveredCents: credited("loan_losses"),
    surplusCents: credited("overpayments"),
    lossRemainingCents: (await loanBalances(tx, loanId)).loan_losses,
  };
}

function recoveryView(
  loanId: string,
  paymentId: string,
  amountCents: number,
  booking: RecoveryBooking,
  lossRemainingCents: number,
  replayed: boolean,
): RecoveryView {
  return {
    loanId,
    paymentId,
    amount: formatMoney(amountCents),
    recovered: formatMoney(booking.recoveredCents),
    surplus: formatMoney(booking.surplusCents),
    lossRemaining: formatMoney(lossRemainingCents),
    replayed,
  };
}
