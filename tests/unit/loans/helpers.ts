import type { InstalmentDue } from "../../../server/loans/repayment";
import { amortizationSchedule } from "../../../server/loans/schedule";

/** 10,000.00 at 12 % over 12 months from 2025-01-15, nothing paid: 888.49 a month, due on the 15th. */
export function unpaidInstalments(termMonths = 12): InstalmentDue[] {
  const { instalments } = amortizationSchedule({
    principalCents: 1_000_000,
    aprBasisPoints: 1200,
    termMonths,
    scheduleType: "equal_installments",
    startDate: new Date("2025-01-15T00:00:00Z"),
  });
  return instalments.map(({ n, dueDate, principalCents, interestCents }) => ({
    n,
    dueDate,
    principalCents,
    interestCents,
    paidPrincipalCents: 0,
    paidInterestCents: 0,
  }));
}

export const day = (iso: string) => new Date(`${iso}T12:00:00Z`);
