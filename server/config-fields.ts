import { availableParallelism } from "node:os";
import { isAddress } from "viem";
import { z } from "zod";
import { isIsoCountryCode } from "./countries";
import { tryParseMoney } from "./money";

/* The value parsers the configuration's variables share, each with a message that says what to write. */

export const booleanFlag = z
  .enum(["true", "false", "1", "0"])
  .transform((value) => value === "true" || value === "1");

export const commaList = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);

export const positiveInt = z.coerce.number().int().positive();

/** A rate limit written as "<points>/<seconds>": "50/900" is 50 per 15 minutes. */
export const limitSpec = z
  .string()
  .regex(/^\d+\/\d+$/, 'must look like "<points>/<seconds>", e.g. "50/900"')
  .transform((value) => {
    const [points, windowSeconds] = value.split("/").map(Number) as [number, number];
    return { points, windowSeconds };
  })
  .refine((spec) => spec.points > 0 && spec.windowSeconds > 0, "points and seconds must be positive");

/** 32 random bytes written as 64 hex characters, as `openssl rand -hex 32` prints them. */
export const hexKey32 = z
  .string()
  .regex(
    /^[0-9a-fA-F]{64}$/,
    "must be 64 hex characters (32 random bytes; make one with `openssl rand -hex 32`)",
  );

/** "*" or a list of origins, each scheme://host[:port] exactly as a browser sends it in `Origin`. */
export const originList = commaList.superRefine((origins, ctx) => {
  for (const origin of origins) {
    if (origin === "*") continue;
    let parsed: URL | null = null;
    try {
      parsed = new URL(origin);
    } catch {}
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      ctx.addIssue({
        code: "custom",
        message: `"${origin}" is not an origin: write scheme://host[:port] with no path or trailing slash, e.g. https://app.example.com`,
      });
    }
  }
});

export const address = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), "must be an address (0x + 40 hex digits)");

/** "KP, ir ,MM" → ["KP", "IR", "MM"]; every item must be an ISO 3166-1 alpha-2 code. */
export const countryList = commaList
  .transform((codes) => codes.map((code) => code.toUpperCase()))
  .superRefine((codes, ctx) => {
    const unknown = codes.filter((code) => !isIsoCountryCode(code));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: `not ISO 3166-1 alpha-2 country codes: ${unknown.join(", ")}`,
      });
    }
  });

/** An amount written "10000.00" → integer cents. */
export const moneyAmount = z.string().transform((value, ctx) => {
  const parsed = tryParseMoney(value, { allowZero: false });
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: "custom", message: `must be a positive amount like "10000.00" (${parsed.message})` });
  return z.NEVER;
});

/** A whole number in [min, max], with a message that says so. */
export const wholeNumber = (min: number, max: number, example: number) =>
  z.coerce
    .number({ error: `must be a whole number, e.g. ${example}` })
    .int(`must be a whole number, e.g. ${example}`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** Five cron fields, minute first, read in UTC by pg-boss (which checks the fields' values at start-up). */
export const cronExpression = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4}\S+$/, 'must be a cron expression of five fields, e.g. "15 0 * * *" (00:15 UTC daily)');

/** "<count>/<seconds>": "5/86400" is more than 5 in any 24 hours. */
export const countPerWindow = z
  .string()
  .regex(/^\d+\/\d+$/, 'must look like "<count>/<seconds>", e.g. "5/86400"')
  .transform((value) => {
    const [count, windowSeconds] = value.split("/").map(Number) as [number, number];
    return { count, windowSeconds };
  })
  .refine((spec) => spec.count > 0 && spec.windowSeconds > 0, "count and seconds must be positive");

export const port = z.coerce.number({ error: "must be a port number" }).int().min(0).max(65535);

/** "auto" (one per core) or a whole number of processes. */
export const workerCount = z.string().transform((value, ctx) => {
  if (value === "auto") return availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count)) {
    ctx.addIssue({ code: "custom", message: 'must be a whole number of processes or "auto"' });
  } else if (count < 1 || count > 256) {
    ctx.addIssue({ code: "custom", message: "must be at least 1 and at most 256" });
  }
  return count;
});

export const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL");
