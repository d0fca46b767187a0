import type { Database } from "../../db/client";

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

/**
 * The one place scoring reads the platform's own loan history. The loans tables do not exist yet, so every
 * user has an empty record; when loans land, this body is replaced by queries over the user's loans and
 * instalments (late instalments by days past due, defaulted loans, loans in `disbursed`) and nothing else
 * in scoring changes.
 */
export async function platformPaymentRecord(_db: Database, _userId: string): Promise<PaymentRecord> {
  return EMPTY_PAYMENT_RECORD;
}
