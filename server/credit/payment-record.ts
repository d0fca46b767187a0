import { and, count, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { loanInstalments, loans } from "../../db/schema";

/** A user's repayment record on this platform, as scoring reads it. */
export type PaymentRecord = {
  /** Instalments paid by their due day (plus grace). Kept for the record; no engine scores it yet. */
  onTimeInstalments: number;
  /** Instalments that went past their grace period, paid since or not. */
  lateInstalments: number;
  /**
   * The same late instalments split by how late each got, when known. Without it every late instalment
   * counts as 30–59 days past due, the mildest of the three counters.
   */
  lateByDaysPastDue?: { from30to59: number; from60to89: number; from90: number };
  defaultedLoans: number;
  /** Disbursed and not yet repaid or defaulted. */
  openLoans: number;
};

export const EMPTY_PAYMENT_RECORD: PaymentRecord = Object.freeze({
  onTimeInstalments: 0,
  lateInstalments: 0,
  defaultedLoans: 0,
  openLoans: 0,
});

/** Late by this many whole days past the due day, an instalment lands in the matching past-due counter. */
function lateBucket(days: number): keyof NonNullable<PaymentRecord["lateByDaysPastDue"]> {
  if (days >= 90) return "from90";
  if (days >= 60) return "from60to89";
  // A late instalment counts at least as 30–59 days: being past the grace period at all is a missed payment.
  return "from30to59";
}

/**
 * The one place scoring reads the platform's own loan history: the user's instalments (paid on time, or late
 * — marked by the delinquency job, or paid past their grace period — split by how late each got: until paid,
 * or until now while unpaid), their defaulted loans, and their loans in `disbursed`.
 */
export async function platformPaymentRecord(db: Database, userId: string): Promise<PaymentRecord> {
  const instalments = await db
    .select({
      state: loanInstalments.state,
      lateAt: loanInstalments.lateAt,
      daysLate: sql<
        number | null
      >`(coalesce(${loanInstalments.paidAt}, now())::date - ${loanInstalments.dueDate})`,
    })
    .from(loanInstalments)
    .innerJoin(loans, eq(loans.id, loanInstalments.loanId))
    .where(and(eq(loans.userId, userId), isNotNull(loanInstalments.dueDate)));
  const record: PaymentRecord = {
    onTimeInstalments: 0,
    lateInstalments: 0,
    lateByDaysPastDue: { from30to59: 0, from60to89: 0, from90: 0 },
    defaultedLoans: 0,
    openLoans: 0,
  };
  const buckets = record.lateByDaysPastDue as NonNullable<PaymentRecord["lateByDaysPastDue"]>;
  for (const item of instalments) {
    if (item.lateAt !== null) {
      record.lateInstalments += 1;
      buckets[lateBucket(Number(item.daysLate ?? 0))] += 1;
    } else if (item.state === "paid") {
      record.onTimeInstalments += 1;
    }
  }
  const statuses = await db
    .select({ status: loans.status, n: count() })
    .from(loans)
    .where(and(eq(loans.userId, userId), inArray(loans.status, ["defaulted", "disbursed"])))
    .groupBy(loans.status);
  for (const row of statuses) {
    if (row.status === "defaulted") record.defaultedLoans = row.n;
    else record.openLoans = row.n;
  }
  return record;
}
