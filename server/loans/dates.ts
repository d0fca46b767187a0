/**
 * Calendar arithmetic for schedules, on UTC calendar days. A due date is a day, not an instant: it is
 * represented as a `Date` at 00:00 UTC of that day.
 */

const DAY_MS = 86_400_000;

/** The UTC calendar day of `date`, as a Date at 00:00 UTC. */
export function utcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `month` is 0-based, as in Date. */
function daysInMonth(year: number, month: number): number {
  if (month === 1 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return 29;
  return MONTH_DAYS[month] as number;
}

/**
 * The day `months` calendar months after `date`'s day, clamped to the end of the month:
 * Jan 31 + 1 → Feb 28 (or 29), Jan 31 + 2 → Mar 31. Always computed from the anchor, never chained,
 * so a short month does not pull every later date back.
 */
export function addMonthsClamped(date: Date, months: number): Date {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const day = Math.min(date.getUTCDate(), daysInMonth(targetYear, targetMonth));
  return new Date(daysFromCivil(targetYear, targetMonth + 1, day) * DAY_MS);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-based); H. Hinnant's `days_from_civil`. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Whole UTC calendar days from `from`'s day to `to`'s day (negative when `to` is earlier). */
export function daysBetween(from: Date, to: Date): number {
  return Math.round((utcDay(to).getTime() - utcDay(from).getTime()) / DAY_MS);
}

/** "2025-02-28". */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
