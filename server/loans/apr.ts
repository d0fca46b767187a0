/**
 * The annual percentage rate by the actuarial method of Regulation Z, Appendix J (12 CFR 1026), for a single
 * advance repaid by any series of payments:
 *
 *   A = Σ P_k / ((1 + f_k·i)(1 + i)^t_k)
 *
 * where i is the rate per unit-period, and t_k and f_k are the whole and fractional unit-periods from the advance
 * to payment k, found as (b)(5) says: count whole unit-periods back from the payment date, then the days left to
 * the advance are a fraction of a unit-period (a month's day is 1/30 of it, a semimonth's 1/15, a week's 1/7).
 * An odd first period therefore needs no special case: every payment carries the same fraction. APR = i × the
 * unit-periods in a year.
 */

export type UnitPeriod =
  | { unit: "month"; count: number }
  | { unit: "semimonth" }
  | { unit: "week"; count: number }
  | { unit: "day" };

export const MONTHLY: UnitPeriod = { unit: "month", count: 1 };

export type AprPayment = { amountCents: number; date: Date };

export type AprParams = {
  amountFinancedCents: number;
  /** When the finance charge begins to be earned: the advance (disbursement). */
  advanceDate: Date;
  payments: readonly AprPayment[];
  unitPeriod?: UnitPeriod;
  /**
   * For monthly unit-periods: the day of the month the payments are scheduled for, when a short month moved
   * some of them earlier (due on the 30th: February's payment falls on its last day, and still counts as the 30th).
   */
  dayOfMonth?: number;
};

export type PaymentTiming = { t: number; f: number };

export function unitPeriodsPerYear(period: UnitPeriod): number {
  switch (period.unit) {
    case "month":
      return 12 / period.count;
    case "semimonth":
      return 24;
    case "week":
      return 52 / period.count;
    case "day":
      return 365;
  }
}

/** A calendar day as integers (month 0-based): timing runs on these, not on Date objects, for speed. */
type Civil = { y: number; m: number; d: number };

const civilOf = (date: Date): Civil => ({
  y: date.getUTCFullYear(),
  m: date.getUTCMonth(),
  d: date.getUTCDate(),
});

function daysInMonth(y: number, m: number): number {
  if (m === 1) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m] as number;
}

/** Days since 1970-01-01 (H. Hinnant's `days_from_civil`). */
function dayNumber({ y, m, d }: Civil): number {
  const month = m + 1;
  const year = month <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return (
    era * 146_097 +
    yearOfEra * 365 +
    Math.floor(yearOfEra / 4) -
    Math.floor(yearOfEra / 100) +
    dayOfYear -
    719_468
  );
}

/**
 * `c` moved back `months` months, to the series' day of the month clamped to the month's end. Without a given
 * day, a payment on a month's last day stands for the last day of every month ((b)(3)(iv)).
 */
function monthsBack(c: Civil, months: number, dayOfMonth?: number): Civil {
  const nominal = dayOfMonth ?? (c.d === daysInMonth(c.y, c.m) ? 31 : c.d);
  const total = c.y * 12 + c.m - months;
  const y = Math.floor(total / 12);
  const m = total - y * 12;
  return { y, m, d: Math.min(nominal, daysInMonth(y, m)) };
}

/** `c` moved back `n` semimonths: two make a month; a half month from the 16th or later is 15 days back. */
function semimonthsBack(c: Civil, n: number): Civil {
  const back = monthsBack(c, Math.floor(n / 2));
  if (n % 2 === 0) return back;
  if (back.d > 15) return { ...back, d: back.d - 15 };
  const previous = monthsBack({ ...back, d: 1 }, 1);
  return { ...previous, d: Math.min(back.d + 15, daysInMonth(previous.y, previous.m)) };
}

/** The day number `n` whole unit-periods before the payment. */
function unitPeriodsBack(payment: Civil, period: UnitPeriod, n: number, dayOfMonth?: number): number {
  switch (period.unit) {
    case "month":
      return dayNumber(monthsBack(payment, n * period.count, dayOfMonth));
    case "semimonth":
      return dayNumber(semimonthsBack(payment, n));
    case "week":
      return dayNumber(payment) - n * 7 * period.count;
    case "day":
      return dayNumber(payment) - n;
  }
}

/** Days in one unit-period for the odd fraction: a month counts as 30 days, a semimonth as 15 (Appendix J (b)(5)(iv)). */
function fractionDivisor(period: UnitPeriod): number {
  switch (period.unit) {
    case "month":
      return 30 * period.count;
    case "semimonth":
      return 15;
    case "week":
      return 7 * period.count;
    case "day":
      return 1;
  }
}

/** Whole unit-periods t and the odd fraction f from `advanceDate` to `paymentDate`, counted back from the payment. */
export function paymentTiming(
  advanceDate: Date,
  paymentDate: Date,
  period: UnitPeriod,
  dayOfMonth?: number,
): PaymentTiming {
  const advance = civilOf(advanceDate);
  const payment = civilOf(paymentDate);
  const advanceDay = dayNumber(advance);
  const paymentDay = dayNumber(payment);
  if (paymentDay < advanceDay) throw new RangeError("a payment cannot fall before the advance");
  if (period.unit === "day") return { t: paymentDay - advanceDay, f: 0 };
  // Estimate t from the calendar, then settle on the largest t whose step back stays on or after the advance.
  const months = payment.y * 12 + payment.m - (advance.y * 12 + advance.m);
  let t =
    period.unit === "month"
      ? Math.floor(months / period.count)
      : period.unit === "semimonth"
        ? 2 * months + 1
        : Math.floor((paymentDay - advanceDay) / (7 * period.count));
  while (t > 0 && unitPeriodsBack(payment, period, t, dayOfMonth) < advanceDay) t--;
  while (unitPeriodsBack(payment, period, t + 1, dayOfMonth) >= advanceDay) t++;
  const days = unitPeriodsBack(payment, period, t, dayOfMonth) - advanceDay;
  return { t, f: days / fractionDivisor(period) };
}

/** Σ P_k / ((1 + f_k·i)(1 + i)^t_k), the present value of the payments at unit-period rate i. */
function presentValue(payments: readonly { amount: number; t: number; f: number }[], i: number): number {
  let sum = 0;
  for (const { amount, t, f } of payments) sum += amount / ((1 + f * i) * (1 + i) ** t);
  return sum;
}

/** d/di of the present value, for Newton's step. */
function presentValueSlope(payments: readonly { amount: number; t: number; f: number }[], i: number): number {
  let sum = 0;
  for (const { amount, t, f } of payments) {
    const a = 1 + f * i;
    const b = (1 + i) ** t;
    sum -= (amount * (f * b + a * t * (1 + i) ** (t - 1))) / (a * b) ** 2;
  }
  return sum;
}

/**
 * The unit-period rate i solving the general equation, as an annual rate (a fraction: 0.0969 is 9.69 %).
 * Newton's method from a bracket that bisection keeps: the present value falls as i rises, so every iterate stays
 * between a rate too low and one too high, and the answer is exact to double precision (far inside the 0.01 %
 * the disclosure shows). Zero when the payments do not exceed the amount financed.
 */
export function actuarialApr(params: AprParams): number {
  const period = params.unitPeriod ?? MONTHLY;
  const { amountFinancedCents, payments } = params;
  if (!Number.isSafeInteger(amountFinancedCents) || amountFinancedCents <= 0) {
    throw new RangeError("amountFinancedCents must be a positive integer");
  }
  if (payments.length === 0) throw new RangeError("at least one payment is needed");
  const timed = payments.map((payment) => ({
    amount: payment.amountCents,
    ...paymentTiming(params.advanceDate, payment.date, period, params.dayOfMonth),
  }));
  const total = timed.reduce((sum, payment) => sum + payment.amount, 0);
  if (total <= amountFinancedCents) return 0;
  const gap = (i: number) => presentValue(timed, i) - amountFinancedCents;
  let low = 0;
  let high = 1;
  while (gap(high) > 0) high *= 2;
  let i = high / 2;
  for (let step = 0; step < 200; step++) {
    const value = gap(i);
    if (value === 0) break;
    if (value > 0) low = i;
    else high = i;
    const newton = i - value / presentValueSlope(timed, i);
    const next = newton > low && newton < high ? newton : (low + high) / 2;
    if (Math.abs(next - i) <= 1e-16 * Math.max(1, i)) {
      i = next;
      break;
    }
    i = next;
  }
  return i * unitPeriodsPerYear(period);
}

/** The APR to the basis point (two decimals of a percent), as disclosed. */
export function actuarialAprBasisPoints(params: AprParams): number {
  return Math.round(actuarialApr(params) * 10_000);
}
