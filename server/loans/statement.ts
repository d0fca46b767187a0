import { asc, eq, inArray } from "drizzle-orm";
import type { Database } from "../../db/client";
import { journalEntries, journalLines, type Loan, loans, repayments, users } from "../../db/schema";
import type { LedgerAccount } from "../../db/schema/loan-values";
import { conflict, invalidInput, notFound } from "../errors";
import { formatMoney, formatRate } from "../money";
import { assertCanRead, type Viewer } from "./access";
import { daysBetween, isoDate } from "./dates";
import { instalmentsOf } from "./schedule-store";
import type { StatementLine, StatementView } from "./servicing-schemas";
import { dueDateOf } from "./views";

/**
 * A loan statement between two days. The balance is what the borrower owes: principal, interest that fell due
 * (each instalment's interest is charged on its due day) and fees. Money lines come from the loan's journal
 * entries, so they are exactly what was booked; the opening balance is every line before `from`, the closing one
 * every line through `to`, and each line carries its effect, so opening + effects = closing by construction.
 */

type Kind = StatementLine["kind"];
type Event = {
  at: Date;
  kind: Kind;
  description: string;
  amountCents: number;
  principalCents: number;
  interestCents: number;
  feesCents: number;
  /** Null: the write-off, which clears whatever is owed at that moment. */
  effectCents: number | null;
};

const ORDER: Record<Kind, number> = {
  disbursement: 0,
  interest: 1,
  fee: 2,
  capitalisation: 3,
  payment: 4,
  write_off: 5,
  recovery: 6,
};

type EntryLines = {
  kind: string;
  postedAt: Date;
  description: string;
  lines: { account: LedgerAccount; debitCents: number; creditCents: number }[];
};

function sumOf(entry: EntryLines, side: "debitCents" | "creditCents", ...accounts: LedgerAccount[]): number {
  return entry.lines
    .filter((line) => accounts.includes(line.account))
    .reduce((sum, line) => sum + line[side], 0);
}

function eventOf(entry: EntryLines): Event {
  const base = { at: entry.postedAt, principalCents: 0, interestCents: 0, feesCents: 0 };
  switch (entry.kind) {
    case "disbursement": {
      const amount = sumOf(entry, "debitCents", "loans_receivable");
      return {
        ...base,
        kind: "disbursement",
        description: "Loan paid out",
        amountCents: amount,
        principalCents: amount,
        effectCents: amount,
      };
    }
    case "repayment": {
      const principal = sumOf(entry, "creditCents", "loans_receivable");
      const interest = sumOf(entry, "creditCents", "interest_receivable", "interest_income");
      const fees = sumOf(entry, "creditCents", "fees_receivable");
      const surplus = sumOf(entry, "creditCents", "overpayments");
      const amount = sumOf(entry, "debitCents", "cash");
      return {
        ...base,
        kind: "payment",
        description:
          surplus > 0
            ? `Payment received (${formatMoney(surplus)} beyond what was owed, to be returned)`
            : "Payment received",
        amountCents: amount,
        principalCents: principal,
        interestCents: interest,
        feesCents: fees,
        effectCents: -(principal + interest + fees),
      };
    }
    case "restructure": {
      // The capitalised arrears' instalments no longer charge their unpaid interest: it is principal now.
      const interest = sumOf(entry, "creditCents", "interest_receivable", "interest_income");
      const fees = sumOf(entry, "creditCents", "fees_receivable");
      return {
        ...base,
        kind: "capitalisation",
        description: "Restructure: arrears capitalised into principal",
        amountCents: interest + fees,
        principalCents: interest + fees,
        effectCents: interest,
      };
    }
    case "write_off":
      return {
        ...base,
        kind: "write_off",
        description: "Written off",
        amountCents: sumOf(entry, "debitCents", "loan_losses"),
        effectCents: null,
      };
    case "recovery":
      return {
        ...base,
        kind: "recovery",
        description: "Recovery after write-off",
        amountCents: sumOf(entry, "debitCents", "cash"),
        effectCents: 0,
      };
    default: {
      // Fees charged (and any other posting): what it adds to the receivables.
      const net = (account: LedgerAccount) =>
        sumOf(entry, "debitCents", account) - sumOf(entry, "creditCents", account);
      const fees = net("fees_receivable");
      return {
        ...base,
        kind: "fee",
        description: entry.description,
        amountCents: Math.abs(fees),
        feesCents: fees,
        effectCents: fees + net("loans_receivable") + net("interest_receivable"),
      };
    }
  }
}

async function journalOf(db: Database, loanId: string): Promise<EntryLines[]> {
  const entries = await db
    .select()
    .from(journalEntries)
    .where(eq(journalEntries.loanId, loanId))
    .orderBy(asc(journalEntries.seq));
  if (entries.length === 0) return [];
  const lines = await db
    .select()
    .from(journalLines)
    .where(
      inArray(
        journalLines.entryId,
        entries.map((entry) => entry.id),
      ),
    );
  return entries.map((entry) => ({
    kind: entry.kind,
    postedAt: entry.postedAt,
    description: entry.description,
    lines: lines.filter((line) => line.entryId === entry.id),
  }));
}

function interestEvent(n: number, at: Date, cents: number): Event {
  return {
    at,
    kind: "interest",
    description: `Interest for instalment ${n}`,
    amountCents: cents,
    principalCents: 0,
    interestCents: cents,
    feesCents: 0,
    effectCents: cents,
  };
}

/** Interest each repayment paid per instalment, with when. */
async function earlyInterest(db: Database, loanId: string) {
  const rows = await db
    .select({ at: repayments.at, allocations: repayments.allocations })
    .from(repayments)
    .where(eq(repayments.loanId, loanId));
  return rows.flatMap((row) =>
    row.allocations
      .filter((line) => line.interestCents > 0)
      .map((line) => ({ n: line.n, at: row.at, interestCents: line.interestCents })),
  );
}

export type StatementParams = {
  actor: Viewer;
  loanId: string;
  /** yyyy-mm-dd; the payout's day when absent. */
  from?: string;
  /** yyyy-mm-dd, included; today when absent. */
  to?: string;
  now?: Date;
};

export async function getStatement(db: Database, params: StatementParams): Promise<StatementView> {
  const [found] = await db
    .select({ loan: loans, name: users.name, email: users.email })
    .from(loans)
    .innerJoin(users, eq(users.id, loans.userId))
    .where(eq(loans.id, params.loanId));
  if (!found) throw notFound("Loan");
  const loan: Loan = found.loan;
  assertCanRead(params.actor, loan);
  if (!loan.disbursedAt) {
    throw conflict("LOAN_NOT_DISBURSED", `The loan is ${loan.status}; a statement starts at the payout`, {
      status: loan.status,
    });
  }
  const from = params.from ?? isoDate(loan.disbursedAt);
  const to = params.to ?? isoDate(params.now ?? new Date());
  if (daysBetween(dueDateOf(from), dueDateOf(to)) < 0) {
    throw invalidInput("INVALID_PERIOD", "from must not be after to", { field: "from" });
  }

  const journal = await journalOf(db, loan.id);
  const events = journal.map(eventOf);
  const writtenOffAt = events.find((event) => event.kind === "write_off")?.at ?? null;
  // Interest is charged on the due day; interest paid before it (a prepayment's accrued interest, an early
  // payment) is charged when paid, so a loan paid off early ends at zero.
  const paidEarly = await earlyInterest(db, loan.id);
  for (const row of await instalmentsOf(db, loan.id)) {
    if (!row.dueDate || row.interestCents === 0) continue;
    const due = dueDateOf(row.dueDate);
    let charged = 0;
    for (const early of paidEarly.filter((item) => item.n === row.n && item.at < due)) {
      charged += early.interestCents;
      events.push(interestEvent(row.n, early.at, early.interestCents));
    }
    if (writtenOffAt && due > writtenOffAt) continue;
    if (row.interestCents > charged) events.push(interestEvent(row.n, due, row.interestCents - charged));
  }
  events.sort((a, b) => a.at.getTime() - b.at.getTime() || ORDER[a.kind] - ORDER[b.kind]);

  const start = dueDateOf(from).getTime();
  const end = dueDateOf(to).getTime() + 86_400_000;
  let balance = 0;
  let opening = 0;
  const lines: StatementLine[] = [];
  const totals = { payments: 0, interest: 0, fees: 0 };
  for (const event of events) {
    const effect = event.effectCents ?? -balance;
    const time = event.at.getTime();
    if (time >= end) break;
    balance += effect;
    if (time < start) {
      opening = balance;
      continue;
    }
    if (event.kind === "payment" || event.kind === "recovery") totals.payments += event.amountCents;
    if (event.kind === "interest") totals.interest += event.amountCents;
    if (event.kind === "fee") totals.fees += event.feesCents;
    lines.push({
      date: isoDate(event.at),
      kind: event.kind,
      description: event.description,
      amount: formatMoney(event.amountCents),
      principal: formatMoney(event.principalCents),
      interest: formatMoney(event.interestCents),
      fees: formatMoney(event.feesCents),
      effect: formatMoney(effect),
      balance: formatMoney(balance),
    });
  }
  return {
    loanId: loan.id,
    borrower: { name: found.name, email: found.email },
    status: loan.status,
    amount: formatMoney(loan.amountCents),
    apr: formatRate(loan.aprBasisPoints),
    from,
    to,
    openingBalance: formatMoney(opening),
    closingBalance: formatMoney(balance),
    totals: {
      payments: formatMoney(totals.payments),
      interest: formatMoney(totals.interest),
      fees: formatMoney(totals.fees),
    },
    lines,
  };
}
