/** The youngest applicant KYC passes and the credit engines score. */
export const MINIMUM_AGE = 18;

export type CalendarDate = { year: number; month: number; day: number };

/**
 * Whole years from the date of birth (yyyy-mm-dd or its parts) to `at`, on the UTC calendar; a 29 February
 * birthday comes on 1 March.
 */
export function ageOn(dateOfBirth: CalendarDate | string, at: Date): number {
  const { year, month, day } = typeof dateOfBirth === "string" ? isoDateParts(dateOfBirth) : dateOfBirth;
  const atMonth = at.getUTCMonth() + 1;
  const hadBirthday = atMonth > month || (atMonth === month && at.getUTCDate() >= day);
  return at.getUTCFullYear() - year - (hadBirthday ? 0 : 1);
}

function isoDateParts(date: string): CalendarDate {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return { year, month, day };
}
