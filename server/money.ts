import { z } from "zod";

/**
 * Money is integer cents (a safe integer `number`) everywhere inside the server; rates are integer basis
 * points (1 % = 100 bp). Both come in and go out as decimal strings with two places ("888.49", "12.00"),
 * and inputs also accept a JSON number. Parsing is done on the decimal digits, never by multiplying a
 * float by 100, so 0.29 is 29 cents and not 28.999999999999996.
 */

export type MoneyErrorCode = "NOT_A_NUMBER" | "TOO_MANY_DECIMALS" | "NEGATIVE" | "ZERO" | "OUT_OF_RANGE";

export class MoneyError extends Error {
  override name = "MoneyError";
  constructor(
    readonly code: MoneyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type ParseDecimalResult =
  | { ok: true; value: number }
  | { ok: false; code: MoneyErrorCode; message: string };

export type ParseMoneyOptions = {
  /** Used at the start of error messages: "amount must be …". */
  label?: string;
  allowNegative?: boolean;
  /** Zero is accepted unless this is false. */
  allowZero?: boolean;
  minCents?: number;
  maxCents?: number;
};

const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Exact parse of a decimal with at most two places into hundredths (cents, or basis points of a percentage). */
function parseHundredths(input: unknown, label: string): ParseDecimalResult {
  let text: string;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) return fail("NOT_A_NUMBER", `${label} must be a finite number`);
    // String() gives the shortest text that round-trips, which is what the client wrote for any
    // value with two decimals (1234.5 → "1234.5"); it uses exponent notation only far outside money's range.
    text = String(input);
    if (/e/i.test(text)) {
      return Math.abs(input) >= 1
        ? fail("OUT_OF_RANGE", `${label} is too large`)
        : fail("TOO_MANY_DECIMALS", `${label} must be a number with at most two decimal places`);
    }
  } else if (typeof input === "string") {
    text = input;
  } else {
    return fail("NOT_A_NUMBER", `${label} must be a number or a decimal string`);
  }
  const match = DECIMAL.exec(text);
  if (!match) {
    return /^-?\d+\.\d{3,}$/.test(text)
      ? fail("TOO_MANY_DECIMALS", `${label} must be a number with at most two decimal places`)
      : fail("NOT_A_NUMBER", `${label} must be a number with at most two decimal places, like "1234.50"`);
  }
  const [, minus, whole = "0", fraction = ""] = match;
  const magnitude = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
  if (magnitude > MAX) return fail("OUT_OF_RANGE", `${label} is too large`);
  const value = Number(magnitude);
  return { ok: true, value: minus && value !== 0 ? -value : value };
}

function fail(code: MoneyErrorCode, message: string): ParseDecimalResult {
  return { ok: false, code, message };
}

/** Like `parseMoney`, but returns a result instead of throwing. */
export function tryParseMoney(input: unknown, options: ParseMoneyOptions = {}): ParseDecimalResult {
  const label = options.label ?? "amount";
  const parsed = parseHundredths(input, label);
  if (!parsed.ok) return parsed;
  const cents = parsed.value;
  if (cents < 0 && !options.allowNegative) return fail("NEGATIVE", `${label} must not be negative`);
  if (cents === 0 && options.allowZero === false) return fail("ZERO", `${label} must be greater than zero`);
  if (options.minCents !== undefined && cents < options.minCents) {
    return fail("OUT_OF_RANGE", `${label} must be at least ${formatMoney(options.minCents)}`);
  }
  if (options.maxCents !== undefined && cents > options.maxCents) {
    return fail("OUT_OF_RANGE", `${label} must be at most ${formatMoney(options.maxCents)}`);
  }
  return parsed;
}

/** Parses 1234.5, "1234.50" or "1234" into cents (123450); throws `MoneyError` with a message naming `label`. */
export function parseMoney(input: number | string, options: ParseMoneyOptions = {}): number {
  const parsed = tryParseMoney(input, options);
  if (!parsed.ok) throw new MoneyError(parsed.code, parsed.message);
  return parsed.value;
}

/** Cents → "888.49", "-5.00". */
export function formatMoney(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`formatMoney expects integer cents, got ${cents}`);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

export type ParseRateOptions = { label?: string; minBasisPoints?: number; maxBasisPoints?: number };

/** Like `parseRate`, but returns a result instead of throwing. Default range 0.00 to 100.00 %. */
export function tryParseRate(input: unknown, options: ParseRateOptions = {}): ParseDecimalResult {
  const label = options.label ?? "rate";
  const parsed = parseHundredths(input, label);
  if (!parsed.ok) {
    return parsed.code === "TOO_MANY_DECIMALS"
      ? fail(parsed.code, `${label} must be a percentage with at most two decimal places, like "12.00"`)
      : parsed;
  }
  const min = options.minBasisPoints ?? 0;
  const max = options.maxBasisPoints ?? 10_000;
  if (parsed.value < min) return fail("OUT_OF_RANGE", `${label} must be at least ${formatRate(min)}`);
  if (parsed.value > max) return fail("OUT_OF_RANGE", `${label} must be at most ${formatRate(max)}`);
  return parsed;
}

/** A percentage, "12.00" or 12 (12 % a year), → basis points (1200); throws `MoneyError`. */
export function parseRate(input: number | string, options: ParseRateOptions = {}): number {
  const parsed = tryParseRate(input, options);
  if (!parsed.ok) throw new MoneyError(parsed.code, parsed.message);
  return parsed.value;
}

/** Basis points → percentage with two places: 1200 → "12.00", 799 → "7.99". */
export function formatRate(basisPoints: number): string {
  return formatMoney(basisPoints);
}

/** A number or decimal string, parsed exactly by `parse`; its failure becomes a zod issue naming `label`. */
function decimalInput(label: string, kind: string, parse: (value: unknown) => ParseDecimalResult) {
  return z
    .union([z.number(), z.string()], {
      error: (issue) => (issue.input === undefined ? `${label} is required` : `${label} must be ${kind}`),
    })
    .transform((value, ctx) => {
      const parsed = parse(value);
      if (parsed.ok) return parsed.value;
      ctx.issues.push({
        code: "custom",
        message: parsed.message,
        input: value,
        params: { code: parsed.code },
      });
      return z.NEVER;
    });
}

/** A zod input schema for money: a number or decimal string → integer cents, with messages naming `label`. */
export function moneyInput(options: ParseMoneyOptions = {}) {
  const label = options.label ?? "amount";
  return decimalInput(label, "a number or a decimal string", (value) =>
    tryParseMoney(value, { ...options, label }),
  ).meta({
    description: "Amount: a number or a decimal string with at most two places",
    examples: ["1234.50", 1234.5],
  });
}

/** A zod input schema for a percentage rate: a number or decimal string → basis points. */
export function rateInput(options: ParseRateOptions = {}) {
  const label = options.label ?? "rate";
  return decimalInput(label, "a percentage, a number or a decimal string", (value) =>
    tryParseRate(value, { ...options, label }),
  ).meta({
    description: 'Annual percentage rate, at most two decimal places ("12.00" is 12 %)',
    examples: ["12.00"],
  });
}

/** Non-negative amount → cents. */
export const moneyInputSchema = moneyInput();
/** Percentage from 0.00 to 100.00 → basis points. */
export const rateInputSchema = rateInput();

/** Output form of an amount: what `formatMoney` produces. */
export const moneySchema = z
  .string()
  .regex(/^-?\d+\.\d{2}$/, "must be a decimal string with two places")
  .meta({ description: "Amount as a decimal string with two places", examples: ["888.49"] });

/** Output form of a rate: what `formatRate` produces. */
export const rateSchema = z
  .string()
  .regex(/^\d+\.\d{2}$/, "must be a percentage with two places")
  .meta({ description: 'Annual percentage rate with two places ("12.00" is 12 %)', examples: ["12.00"] });
