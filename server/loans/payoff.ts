import { asc, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type Loan, loanScheduleVersions, loans } from "../../db/schema";
import { conflict, invalidInput, notFound } from "../errors";
import { formatMoney, formatRate } from "../money";
import { assertCanRead, type Viewer } from "./access";
import { payoffOn } from "./accrual";
import { loanBalances } from "./balances";
import { daysBetween, isoDate } from "./dates";
import { instalmentsOf, loanStartOf, toAccruing } from "./schedule-store";
import type { PayoffView, ScheduleVersionView } from "./servicing-schemas";
import { dueDateOf } from "./views";

async function readableLoan(db: Database, actor: Viewer, loanId: string): Promise<Loan> {
  const [loan] = await db.select().from(loans).where(eq(loans.id, loanId));
  if (!loan) throw notFound("Loan");
  assertCanRead(actor, loan);
  return loan;
}

export type PayoffParams = {
  actor: Viewer;
  loanId: string;
  /** yyyy-mm-dd; today (UTC) when absent. */
  date?: string;
  now?: Date;
};

/**
 * The exact amount that closes the loan on the day: principal still owed, interest due and unpaid plus the running
 * period's interest accrued to that day, and fees receivable. For the borrower and staff; not a day in the past.
 */
export async function getPayoff(db: Database, params: PayoffParams): Promise<PayoffView> {
  const loan = await readableLoan(db, params.actor, params.loanId);
  if (loan.status !== "disbursed" && loan.status !== "defaulted") {
    throw conflict("LOAN_NOT_OUTSTANDING", `The loan is ${loan.status}; only a paid-out loan has a payoff`, {
      status: loan.status,
    });
  }
  const today = isoDate(params.now ?? new Date());
  const date = params.date ?? today;
  if (daysBetween(dueDateOf(today), dueDateOf(date)) < 0) {
    throw invalidInput("PAYOFF_DATE_IN_PAST", "date must be today or later", { field: "date" });
  }
  const rows = await instalmentsOf(db, loan.id);
  const fees = (await loanBalances(db, loan.id)).fees_receivable;
  const payoff = payoffOn(rows.map(toAccruing), loanStartOf(loan), dueDateOf(date), fees);
  return {
    date,
    amount: formatMoney(payoff.amountCents),
    principal: formatMoney(payoff.principalCents),
    interest: formatMoney(payoff.interestCents),
    fees: formatMoney(payoff.feesCents),
  };
}

export type ScheduleVersionsParams = { actor: Viewer; loanId: string };

/** Every schedule the loan had before its current one, oldest first. */
export async function listScheduleVersions(
  db: Database,
  params: ScheduleVersionsParams,
): Promise<ScheduleVersionView[]> {
  const loan = await readableLoan(db, params.actor, params.loanId);
  const rows = await db
    .select()
    .from(loanScheduleVersions)
    .where(eq(loanScheduleVersions.loanId, loan.id))
    .orderBy(asc(loanScheduleVersions.version));
  return rows.map((row) => ({
    version: row.version,
    cause: row.cause,
    paymentId: row.paymentId,
    restructureId: row.restructureId,
    apr: formatRate(row.aprBasisPoints),
    termMonths: row.termMonths,
    monthlyPayment: formatMoney(row.monthlyPaymentCents),
    replacedAt: row.replacedAt,
    instalments: row.instalments.map((item) => ({
      n: item.n,
      dueDate: item.dueDate,
      principal: formatMoney(item.principalCents),
      interest: formatMoney(item.interestCents),
      paidPrincipal: formatMoney(item.paidPrincipalCents),
      paidInterest: formatMoney(item.paidInterestCents),
      state: item.state,
    })),
  }));
}
