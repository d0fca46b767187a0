import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { loanInstalments, repayments } from "../../db/schema";
import type { RequestMeta } from "../audit/log";
import { appendAudit } from "../audit/log";
import type { Outbox } from "../chain/outbox";
import type { AmlConfig } from "../compliance/aml/config";
import { recordMovement } from "../compliance/aml-service";
import { conflict, invalidInput, unprocessable } from "../errors";
import { formatMoney } from "../money";
import type { DelinquencyPolicy } from "./delinquency";
import { requestHash, runIdempotent } from "./idempotency";
import { repaymentEntries } from "./journal";
import { postJournal } from "./ledger";
import {
  allocateRepayment,
  applyAllocation,
  daysPastDue,
  instalmentRemainingCents,
  instalmentState,
  RepaymentError,
} from "./repayment";
import { type RepaymentView, storedRepaymentSchema } from "./schemas";
import type { LoanStatus } from "./status";
import { toInstalmentDue } from "./views";
import { assertBorrower, lockLoan, transitionLoan, type Viewer } from "./workflow";

export type RepayParams = {
  loanId: string;
  amountCents: number;
  idempotencyKey: string;
  now?: Date;
};

export type RepayDeps = { outbox: Outbox; aml: AmlConfig; delinquency: DelinquencyPolicy };

function repaymentRefused(error: RepaymentError) {
  const details = { outstanding: formatMoney(error.outstandingCents) };
  if (error.code === "OVERPAYMENT")
    return unprocessable(error.code, error.message, { ...details, field: "amount" });
  if (error.code === "NOTHING_OUTSTANDING") return conflict(error.code, error.message, details);
  return invalidInput(error.code, error.message, { field: "amount" });
}

/**
 * Records a borrower's payment, once per idempotency key and loan. It pays the earliest instalments first,
 * interest before principal (repayment.ts), marks instalments paid (and late, when paid past their grace
 * period), books it (Dr cash / Cr loans_receivable, interest_income), passes it through AML monitoring, and
 * closes the loan as `repaid` when nothing remains. More than the outstanding balance is refused (422).
 */
export async function repayLoan(
  db: Database,
  meta: RequestMeta,
  deps: RepayDeps,
  viewer: Viewer,
  params: RepayParams,
): Promise<{ repayment: RepaymentView; replayed: boolean }> {
  const now = params.now ?? new Date();
  const call = {
    userId: viewer.id,
    scope: `loans.repay:${params.loanId}`,
    key: params.idempotencyKey,
    requestHash: requestHash({ loanId: params.loanId, amountCents: params.amountCents }),
  };
  const codec = { read: (stored: unknown) => storedRepaymentSchema.parse(stored) };
  const { value, replayed } = await runIdempotent(db, call, codec, async (tx) => {
    const loan = await lockLoan(tx, params.loanId);
    assertBorrower(viewer, loan, "repay");
    if (loan.status !== "disbursed") {
      throw conflict(
        "LOAN_NOT_REPAYABLE",
        `The loan is ${loan.status}; only a disbursed loan takes repayments`,
        {
          status: loan.status,
        },
      );
    }
    const rows = await tx
      .select()
      .from(loanInstalments)
      .where(eq(loanInstalments.loanId, loan.id))
      .orderBy(asc(loanInstalments.n));
    const before = rows.map(toInstalmentDue);
    let allocation: ReturnType<typeof allocateRepayment>;
    try {
      allocation = allocateRepayment(before, params.amountCents);
    } catch (error) {
      if (error instanceof RepaymentError) throw repaymentRefused(error);
      throw error;
    }
    const after = applyAllocation(before, allocation);
    const touched = new Set(allocation.allocations.map((line) => line.n));
    for (const [index, row] of rows.entries()) {
      if (!touched.has(row.n)) continue;
      const item = after[index] as (typeof after)[number];
      const settled = instalmentRemainingCents(item) === 0;
      const paidLate = settled && daysPastDue(item, now) > deps.delinquency.graceDays;
      await tx
        .update(loanInstalments)
        .set({
          paidPrincipalCents: item.paidPrincipalCents,
          paidInterestCents: item.paidInterestCents,
          // Late stays late until paid, whatever clock the caller passes.
          state:
            !settled && row.state === "late"
              ? "late"
              : instalmentState(item, now, deps.delinquency.graceDays),
          paidAt: settled ? now : null,
          lateAt: row.lateAt ?? (paidLate ? now : null),
        })
        .where(and(eq(loanInstalments.loanId, loan.id), eq(loanInstalments.n, row.n)));
    }

    const [repayment] = await tx
      .insert(repayments)
      .values({
        loanId: loan.id,
        userId: viewer.id,
        amountCents: params.amountCents,
        principalCents: allocation.principalCents,
        interestCents: allocation.interestCents,
        allocations: allocation.allocations,
        idempotencyKey: params.idempotencyKey,
        at: now,
      })
      .returning();
    if (!repayment) throw new Error("repayment insert returned no row");
    await postJournal(tx, {
      kind: "repayment",
      loanId: loan.id,
      repaymentId: repayment.id,
      description: `Repayment ${repayment.id} on loan ${loan.id}`,
      lines: repaymentEntries(allocation),
      postedAt: now,
    });
    await recordMovement(tx, meta, deps.aml, {
      userId: loan.userId,
      kind: "repayment",
      direction: "out",
      amountCents: params.amountCents,
      reference: loan.id,
      occurredAt: now,
    });
    await appendAudit(tx, meta, {
      action: "loan.repayment",
      subjectType: "loan",
      subjectId: loan.id,
      details: {
        repaymentId: repayment.id,
        amountCents: repayment.amountCents,
        principalCents: repayment.principalCents,
        interestCents: repayment.interestCents,
        outstandingAfterCents: allocation.outstandingAfterCents,
      },
    });
    let status: LoanStatus = loan.status;
    if (allocation.outstandingAfterCents === 0) {
      const closed = await transitionLoan(tx, meta, deps.outbox, loan, {
        to: "repaid",
        actorId: viewer.id,
        reason: "Paid in full",
        now,
      });
      status = closed.status;
    }
    return {
      id: repayment.id,
      loanId: loan.id,
      amount: formatMoney(repayment.amountCents),
      principal: formatMoney(repayment.principalCents),
      interest: formatMoney(repayment.interestCents),
      allocations: allocation.allocations.map((line) => ({
        n: line.n,
        principal: formatMoney(line.principalCents),
        interest: formatMoney(line.interestCents),
      })),
      outstanding: formatMoney(allocation.outstandingAfterCents),
      loanStatus: status,
      at: repayment.at,
    };
  });
  return { repayment: value, replayed };
}
