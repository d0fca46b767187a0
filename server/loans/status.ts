import { type LoanStatus, loanStatuses } from "../../db/schema/loan-values";

/**
 * The underwriting workflow as a state machine. `transitions` is the one table of legal moves; every
 * status change is checked against it.
 */

export const transitions: Readonly<Record<LoanStatus, readonly LoanStatus[]>> = Object.freeze({
  submitted: ["approved", "rejected", "withdrawn"],
  approved: ["disbursed", "withdrawn"],
  disbursed: ["repaid", "defaulted"],
  rejected: [],
  withdrawn: [],
  repaid: [],
  // Restructuring brings a defaulted loan back to `disbursed`; a write-off closes it for good.
  defaulted: ["disbursed", "written_off"],
  written_off: [],
});

/** Statuses in which the loan stops performing or ends: `closed_at` is set on entering one, cleared on leaving. */
export const closedStatuses: readonly LoanStatus[] = [
  "rejected",
  "withdrawn",
  "repaid",
  "defaulted",
  "written_off",
];

/** Loans that still count against "applications open at once": not yet decided or not yet paid out. */
export const openApplicationStatuses: readonly LoanStatus[] = ["submitted", "approved"];

export class IllegalTransitionError extends Error {
  override name = "IllegalTransitionError";
  readonly code = "ILLEGAL_TRANSITION";
  constructor(
    readonly from: LoanStatus,
    readonly to: LoanStatus,
  ) {
    const allowed = transitions[from];
    super(
      allowed.length === 0
        ? `The loan is ${from}, which is final; it cannot become ${to}`
        : `The loan is ${from}; it cannot become ${to} (only ${allowed.join(" or ")})`,
    );
  }
}

export function canTransition(from: LoanStatus, to: LoanStatus): boolean {
  return transitions[from].includes(to);
}

/** Throws `IllegalTransitionError` (map it to 409) unless `from → to` is in the table. */
export function assertTransition(from: LoanStatus, to: LoanStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}

/** The statuses the table allows from `from`; empty for a final status. */
export function nextStatuses(from: LoanStatus): readonly LoanStatus[] {
  return transitions[from];
}

export function isFinalStatus(status: LoanStatus): boolean {
  return transitions[status].length === 0;
}

export function isLoanStatus(value: string): value is LoanStatus {
  return (loanStatuses as readonly string[]).includes(value);
}
