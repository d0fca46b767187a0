import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { isAddress } from "viem";
import { z } from "zod";
import { DEFAULT_AML_CONFIG } from "./compliance/aml/config";
import { isIsoCountryCode } from "./compliance/countries";
import { DEFAULT_SCREENING_THRESHOLD } from "./compliance/sanctions/screen";
import { defaultPricingTable, formatPricingTable, pricingTableEnvSchema } from "./loans/pricing";
import { MAX_TERM_MONTHS } from "./loans/schedule";
import { tryParseMoney } from "./money";

const booleanFlag = z
  .enum(["true", "false", "1", "0"])
  .transform((value) => value === "true" || value === "1");

const commaList = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);

const positiveInt = z.coerce.number().int().positive();

/** A rate limit written as "<points>/<seconds>": "50/900" is 50 per 15 minutes. */
const limitSpec = z
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
const originList = commaList.superRefine((origins, ctx) => {
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

const address = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), "must be an address (0x + 40 hex digits)");

/** "KP, ir ,MM" → ["KP", "IR", "MM"]; every item must be an ISO 3166-1 alpha-2 code. */
const countryList = commaList
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
const moneyAmount = z.string().transform((value, ctx) => {
  const parsed = tryParseMoney(value, { allowZero: false });
  if (parsed.ok) return parsed.value;
  ctx.addIssue({ code: "custom", message: `must be a positive amount like "10000.00" (${parsed.message})` });
  return z.NEVER;
});

/** A whole number in [min, max], with a message that says so. */
const wholeNumber = (min: number, max: number, example: number) =>
  z.coerce
    .number({ error: `must be a whole number, e.g. ${example}` })
    .int(`must be a whole number, e.g. ${example}`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** Five cron fields, minute first, read in UTC by pg-boss (which checks the fields' values at start-up). */
const cronExpression = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4}\S+$/, 'must be a cron expression of five fields, e.g. "15 0 * * *" (00:15 UTC daily)');

/** "<count>/<seconds>": "5/86400" is more than 5 in any 24 hours. */
const countPerWindow = z
  .string()
  .regex(/^\d+\/\d+$/, 'must look like "<count>/<seconds>", e.g. "5/86400"')
  .transform((value) => {
    const [count, windowSeconds] = value.split("/").map(Number) as [number, number];
    return { count, windowSeconds };
  })
  .refine((spec) => spec.count > 0 && spec.windowSeconds > 0, "count and seconds must be positive");

const port = z.coerce.number({ error: "must be a port number" }).int().min(0).max(65535);

/** "auto" (one per core) or a whole number of processes. */
const workerCount = z.string().transform((value, ctx) => {
  if (value === "auto") return availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count)) {
    ctx.addIssue({ code: "custom", message: 'must be a whole number of processes or "auto"' });
  } else if (count < 1 || count > 256) {
    ctx.addIssue({ code: "custom", message: "must be at least 1 and at most 256" });
  }
  return count;
});

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL");

const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: port.default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Requests slower than this are logged at warn with their route and duration. */
  SLOW_REQUEST_MS: positiveInt.default(500),
  /** Server processes sharing PORT (reusePort); "auto" is one per core. More than one needs DATABASE_URL. */
  WORKERS: workerCount.prefault("1"),
  /** On SIGTERM/SIGINT: how long in-flight requests and running jobs get to finish before the process exits. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce
    .number({ error: "must be a number of seconds" })
    .min(0)
    .max(3600)
    .default(10),
  /**
   * On SIGTERM/SIGINT, first this long answering every request with `Connection: close` while still accepting, so a
   * load balancer's kept-alive connections close after an answer instead of under a request; then stop accepting.
   */
  SHUTDOWN_DRAIN_SECONDS: z.coerce.number({ error: "must be a number of seconds" }).min(0).max(60).default(1),
  /** An internal port serving `GET /metrics` without a token (bound on HOST; keep it off the public network). */
  METRICS_PORT: port.optional(),
  /** How often the health checks run in the background; /api/health answers from their last result. */
  HEALTH_CHECK_INTERVAL_SECONDS: z.coerce
    .number({ error: "must be a number of seconds" })
    .min(0.5)
    .max(300)
    .default(5),

  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: postgresUrl.optional(),
  /** Migrations need a session of their own (an advisory lock): a direct connection when DATABASE_URL is a pooler. */
  DATABASE_MIGRATION_URL: postgresUrl.optional(),
  /** Connections each process keeps to Postgres (or to PgBouncer). */
  DATABASE_POOL_MAX: positiveInt.max(1000).default(10),
  /**
   * "transaction" when DATABASE_URL is a transaction pooler (PgBouncer pool_mode=transaction): no prepared
   * statements and no pipelining, which such a pooler cannot route.
   */
  DATABASE_POOL_MODE: z
    .enum(["session", "transaction"], { error: 'must be "session" or "transaction"' })
    .default("session"),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),

  CORS_ORIGINS: originList.default([]),
  BODY_LIMIT_BYTES: positiveInt.default(100_000),
  TRUST_PROXY: commaList.default([]),
  /** Calls one tRPC batch request may carry. */
  TRPC_MAX_BATCH: wholeNumber(1, 100, 10).default(10),
  /**
   * `GET /metrics` on PORT answers only with `Authorization: Bearer <this>`; /api/health shows an anonymous caller
   * only statuses, and this bearer token sees the details too.
   */
  METRICS_TOKEN: z
    .string()
    .min(32, "must be at least 32 characters (e.g. `openssl rand -hex 32`)")
    .optional(),

  SESSION_TTL_DAYS: positiveInt.default(30),
  SESSION_MAX_DAYS: positiveInt.default(90),
  SESSION_MAX_PER_USER: wholeNumber(1, 1000, 20).default(20),
  SESSION_COOKIE_ENABLED: booleanFlag.default(true),
  SESSION_COOKIE_NAME: z.string().min(1).default("blockscore_session"),
  SESSION_COOKIE_SECURE: booleanFlag.optional(),
  /** When expired sessions, wallet challenges and one-time codes are deleted (five cron fields, UTC). */
  AUTH_CLEANUP_CRON: cronExpression.default("30 3 * * *"),

  RATE_LIMIT_GENERAL: limitSpec.prefault("600/60"),
  RATE_LIMIT_LOGIN_IP: limitSpec.prefault("50/900"),
  RATE_LIMIT_REGISTER_IP: limitSpec.prefault("20/3600"),
  RATE_LIMIT_MFA: limitSpec.prefault("10/900"),
  RATE_LIMIT_SCORE: limitSpec.prefault("20/86400"),
  RATE_LIMIT_LOGIN_ACCOUNT: limitSpec.prefault("100/86400"),
  RATE_LIMIT_SECRET_FAILURES: limitSpec.prefault("5/900"),
  LOGIN_LOCKOUT_THRESHOLD: positiveInt.default(5),
  LOGIN_LOCKOUT_BASE_SECONDS: positiveInt.default(300),
  LOGIN_LOCKOUT_MAX_SECONDS: positiveInt.default(86_400),

  MFA_ISSUER: z.string().min(1).default("BlockScore"),
  MFA_ENCRYPTION_KEY: hexKey32.optional(),
  OTP_PROVIDER: z.enum(["console", "http", "none"]).optional(),
  OTP_HTTP_URL: z.url({ error: "must be an http(s) URL" }).optional(),
  OTP_HTTP_TOKEN: z.string().min(1).optional(),

  AUDIT_HMAC_KEY: hexKey32.optional(),
  AUDIT_CHECKPOINT_MINUTES: wholeNumber(1, 10_080, 60).default(60),

  SCORING_ENGINE: z.enum(["model", "scorecard", "rules"]).default("model"),
  /** The boosted-trees artifact; unset means the committed one. A missing file scores with the rules engine. */
  MODEL_PATH: z.string().min(1).optional(),
  /** The scorecard artifact; unset means the committed one. A missing file scores with the rules engine. */
  SCORECARD_PATH: z.string().min(1).optional(),

  JOBS_ENABLED: booleanFlag.default(true),
  JOBS_POLL_INTERVAL_SECONDS: z.coerce.number().min(0.5).default(2),

  CHAIN_RPC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  CHAIN_ID: positiveInt.optional(),
  CHAIN_SIGNER_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits")
    .optional(),
  SCORE_REGISTRY_ADDRESS: address.optional(),
  LOAN_REGISTRY_ADDRESS: address.optional(),
  /** The AuditAnchor contract the audit checkpoints go to; needs the chain variables. */
  AUDIT_ANCHOR_ADDRESS: address.optional(),
  CHAIN_CONFIRMATIONS: positiveInt.default(1),
  CHAIN_RPC_TIMEOUT_MS: positiveInt.default(10_000),
  CHAIN_RECEIPT_TIMEOUT_MS: positiveInt.default(60_000),
  CHAIN_POLL_INTERVAL_MS: positiveInt.default(1_000),
  CHAIN_RETRY_LIMIT: z.coerce.number().int().min(0).default(20),
  CHAIN_RETRY_DELAY_SECONDS: positiveInt.default(5),
  CHAIN_RETRY_DELAY_MAX_SECONDS: positiveInt.default(600),

  SIWE_DOMAIN: z
    .string()
    .regex(/^[a-zA-Z0-9.-]+(:\d+)?$/, "must be a host name, optionally with :port")
    .optional(),
  SIWE_URI: z.url({ error: "must be a URL" }).optional(),
  SIWE_CHALLENGE_TTL_SECONDS: positiveInt.max(3600).default(300),

  /** Folder holding OFAC's SDN.CSV (and ALT.CSV); relative paths are read from the working directory. */
  SANCTIONS_DIR: z
    .string()
    .min(1)
    .transform((dir) => resolve(dir))
    .default(resolve(import.meta.dirname, "..", "fixtures", "sanctions")),
  SANCTIONS_MATCH_THRESHOLD: z.coerce
    .number({ error: "must be a number between 0 and 1, e.g. 0.9" })
    .gt(0, "must be above 0 (0.9 is the default)")
    .max(1, "must be at most 1 (1 flags only exact names)")
    .default(DEFAULT_SCREENING_THRESHOLD),
  HIGH_RISK_COUNTRIES: countryList.default([...DEFAULT_AML_CONFIG.highRiskCountries]),
  KYC_HIGH_RISK_COUNTRY_OUTCOME: z
    .enum(["fail", "review"], { error: 'must be "fail" or "review"' })
    .default("fail"),
  /** In cents once parsed. */
  AML_REPORTING_THRESHOLD: moneyAmount.prefault("10000.00"),
  AML_VELOCITY: countPerWindow.prefault(
    `${DEFAULT_AML_CONFIG.velocityMaxCount}/${DEFAULT_AML_CONFIG.velocityWindowHours * 3600}`,
  ),

  /** Loan amounts accepted, in cents once parsed. */
  LOAN_MIN_AMOUNT: moneyAmount.prefault("500.00"),
  LOAN_MAX_AMOUNT: moneyAmount.prefault("50000.00"),
  LOAN_MIN_TERM_MONTHS: wholeNumber(1, MAX_TERM_MONTHS, 3).default(3),
  LOAN_MAX_TERM_MONTHS: wholeNumber(1, MAX_TERM_MONTHS, 360).default(360),
  /** APR per score band: "excellent:7.99,very_good:9.99,good:12.99,fair:17.99,poor:24.99". */
  LOAN_PRICING_TABLE: pricingTableEnvSchema.prefault(formatPricingTable(defaultPricingTable)),
  LOAN_SCORE_FLOOR: wholeNumber(300, 850, 600).default(600),
  /** Debt-to-income ceiling in percent, the new payment included: 43 means 43 %. */
  LOAN_MAX_DTI_PERCENT: z.coerce
    .number({ error: "must be a percentage, e.g. 43" })
    .gt(0, "must be above 0")
    .max(100, "must be at most 100")
    .default(43),
  LOAN_MAX_OPEN_APPLICATIONS: wholeNumber(1, 100, 3).default(3),
  LOAN_SCORE_MAX_AGE_DAYS: wholeNumber(1, 365, 30).default(30),
  LOAN_GRACE_DAYS: wholeNumber(0, 365, 5).default(5),
  LOAN_DEFAULT_AFTER_DAYS: wholeNumber(1, 3650, 90).default(90),
  LOAN_DELINQUENCY_CRON: cronExpression.default("15 0 * * *"),
  /** Approval and disbursement of one loan by two different staff members. */
  LOAN_FOUR_EYES: booleanFlag.default(true),
  /** In cents once parsed: a declared income above it is refused until a reviewer verifies it. */
  LOAN_INCOME_VERIFICATION_THRESHOLD: moneyAmount.prefault("250000.00"),
  /** How long an Idempotency-Key is remembered; a daily job deletes older ones. */
  IDEMPOTENCY_TTL_HOURS: wholeNumber(1, 24 * 365, 24).default(24),

  /** In cents once parsed: the most a profile may declare as annual income (monthly debts: a twelfth of it). */
  PROFILE_MAX_ANNUAL_INCOME: moneyAmount.prefault("10000000.00"),

  /** Who settles repayments: the provider's signed webhook, or the sandbox (development) through the same path. */
  PAYMENTS_PROVIDER: z.enum(["webhook", "sandbox"], { error: 'must be "webhook" or "sandbox"' }).optional(),
  /** HMAC-SHA256 key of the provider's webhook signatures. */
  PAYMENTS_WEBHOOK_SECRET: z
    .string()
    .min(16, "must be at least 16 characters (use `openssl rand -hex 32`)")
    .optional(),
  PAYMENTS_SANDBOX_DELAY_SECONDS: wholeNumber(0, 3600, 2).default(2),
});

/** Connecting to a chain needs all of these or none of them. */
export const chainVariables = [
  "CHAIN_RPC_URL",
  "CHAIN_ID",
  "CHAIN_SIGNER_KEY",
  "SCORE_REGISTRY_ADDRESS",
  "LOAN_REGISTRY_ADDRESS",
] as const;

export type Config = Omit<
  z.infer<typeof configSchema>,
  "SESSION_COOKIE_SECURE" | "OTP_PROVIDER" | "PAYMENTS_PROVIDER"
> & {
  SESSION_COOKIE_SECURE: boolean;
  OTP_PROVIDER: "console" | "http" | "none";
  PAYMENTS_PROVIDER: "webhook" | "sandbox";
};
export type LimitSpec = Config["RATE_LIMIT_GENERAL"];

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The keys a server must be given; the embedded database keeps generated ones in its data folder instead. */
export const serverKeyVariables = ["MFA_ENCRYPTION_KEY", "AUDIT_HMAC_KEY"] as const;

/**
 * A production server on a shared Postgres has no folder of its own to keep generated keys in, and every
 * instance must hold the same ones: they must come from the environment.
 */
function serverKeyProblems(config: z.infer<typeof configSchema>): string[] {
  if (config.NODE_ENV !== "production" || !config.DATABASE_URL) return [];
  return serverKeyVariables
    .filter((name) => !config[name])
    .map(
      (name) =>
        `  ${name}: required in production with DATABASE_URL (the same value on every instance); make one with \`openssl rand -hex 32\``,
    );
}

/** Parses the environment once; every problem is reported with the variable it belongs to. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const config = parsed.data;
  const otpProvider = config.OTP_PROVIDER ?? (config.NODE_ENV === "production" ? "none" : "console");
  if (otpProvider === "http" && !config.OTP_HTTP_URL) {
    throw new ConfigError("Invalid configuration:\n  OTP_HTTP_URL: required when OTP_PROVIDER=http");
  }
  const loanProblems = [
    config.LOAN_MIN_AMOUNT > config.LOAN_MAX_AMOUNT && "  LOAN_MIN_AMOUNT: must not be above LOAN_MAX_AMOUNT",
    config.LOAN_MIN_TERM_MONTHS > config.LOAN_MAX_TERM_MONTHS &&
      "  LOAN_MIN_TERM_MONTHS: must not be above LOAN_MAX_TERM_MONTHS",
    config.LOAN_DEFAULT_AFTER_DAYS < config.LOAN_GRACE_DAYS &&
      "  LOAN_DEFAULT_AFTER_DAYS: must not be below LOAN_GRACE_DAYS (a loan defaults after its instalments are late)",
  ].filter(Boolean);
  if (loanProblems.length > 0) throw new ConfigError(`Invalid configuration:\n${loanProblems.join("\n")}`);
  if (config.WORKERS > 1 && !config.DATABASE_URL) {
    throw new ConfigError(
      `Invalid configuration:\n  WORKERS: ${config.WORKERS} processes need DATABASE_URL; the embedded database in DATA_DIR ` +
        "belongs to one process (set WORKERS=1, or point DATABASE_URL at a Postgres server)",
    );
  }
  if (config.DATABASE_MIGRATION_URL && !config.DATABASE_URL) {
    throw new ConfigError("Invalid configuration:\n  DATABASE_MIGRATION_URL: only used with DATABASE_URL");
  }
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT !== 0 && config.METRICS_PORT === config.PORT) {
    throw new ConfigError(
      "Invalid configuration:\n  METRICS_PORT: must differ from PORT (it is the internal port)",
    );
  }
  const paymentsProvider =
    config.PAYMENTS_PROVIDER ?? (config.NODE_ENV === "production" ? "webhook" : "sandbox");
  if (paymentsProvider === "sandbox" && config.NODE_ENV === "production") {
    throw new ConfigError(
      "Invalid configuration:\n  PAYMENTS_PROVIDER: sandbox settles repayments without money; it is refused in production",
    );
  }
  const missingChain = chainVariables.filter((name) => config[name] === undefined);
  if (missingChain.length > 0 && missingChain.length < chainVariables.length) {
    const lines = missingChain.map(
      (name) => `  ${name}: required when any of ${chainVariables.join(", ")} is set`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const securityProblems = [
    config.CORS_ORIGINS.includes("*") &&
      config.SESSION_COOKIE_ENABLED &&
      '  CORS_ORIGINS: "*" cannot be combined with cookie sessions (any site could then call the API as the signed-in user); list the origins, or set SESSION_COOKIE_ENABLED=false for a bearer-token-only API',
    config.SESSION_MAX_DAYS < config.SESSION_TTL_DAYS &&
      "  SESSION_MAX_DAYS: must not be below SESSION_TTL_DAYS (the absolute lifetime caps the sliding one)",
    config.AUDIT_ANCHOR_ADDRESS !== undefined &&
      missingChain.length > 0 &&
      `  AUDIT_ANCHOR_ADDRESS: needs the chain variables (${chainVariables.join(", ")})`,
    ...serverKeyProblems(config),
  ].filter(Boolean);
  if (securityProblems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${securityProblems.join("\n")}`);
  }
  return {
    ...config,
    DATABASE_MIGRATION_URL: config.DATABASE_MIGRATION_URL ?? config.DATABASE_URL,
    SESSION_COOKIE_SECURE: config.SESSION_COOKIE_SECURE ?? config.NODE_ENV === "production",
    OTP_PROVIDER: otpProvider,
    PAYMENTS_PROVIDER: paymentsProvider,
  };
}
