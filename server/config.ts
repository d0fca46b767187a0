import { resolve } from "node:path";
import { z } from "zod";
import {
  address,
  booleanFlag,
  commaList,
  countPerWindow,
  countryList,
  cronExpression,
  hexKey32,
  limitSpec,
  moneyAmount,
  originList,
  port,
  positiveInt,
  postgresUrl,
  wholeNumber,
  workerCount,
} from "./config-fields";
import { FATF_CALL_FOR_ACTION } from "./countries";
import { defaultPricingTable, formatPricingTable, pricingTableEnvSchema } from "./pricing-table";

/**
 * Limits and defaults the domains share with the configuration. They live here, in the kernel, so the
 * configuration needs nothing from a domain.
 */

/** The longest schedule the amortisation accepts, whatever LOAN_MAX_TERM_MONTHS says. */
export const MAX_TERM_MONTHS = 1200;

/**
 * The sanctions screening's default threshold; server/compliance/sanctions/screen.ts says why 0.90.
 */
export const DEFAULT_SCREENING_THRESHOLD = 0.9;

/**
 * AML velocity: more than 5 movements a day. On a lending platform a borrower's normal traffic is one
 * disbursement and a repayment a month, so six in 24 hours is well outside it while a few early
 * repayments are not.
 */
export const DEFAULT_AML_VELOCITY = { count: 5, windowSeconds: 24 * 3600 } as const;

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
  /**
   * The longest a request waits for Postgres (a connection, a statement, a transaction): past it, or when the
   * server is unreachable, the request answers 503 DATABASE_UNAVAILABLE with Retry-After instead of hanging.
   */
  DB_REQUEST_TIMEOUT_MS: positiveInt.min(100).max(120_000).default(5000),
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
  /** Password reset requests per client address, and recovery emails (reset, verification) per address asked for. */
  RATE_LIMIT_PASSWORD_RESET_IP: limitSpec.prefault("20/3600"),
  RATE_LIMIT_ACCOUNT_EMAIL: limitSpec.prefault("5/3600"),
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
  /**
   * The list files to fetch (OFAC's SDN.CSV, ALT.CSV, ADD.CSV and the consolidated non-SDN files in the same
   * format), comma-separated; empty: SANCTIONS_DIR stays the source.
   */
  SANCTIONS_SOURCE_URLS: commaList
    .superRefine((urls, ctx) => {
      const bad = urls.filter((url) => !/^https?:\/\/\S+$/.test(url));
      if (bad.length > 0) ctx.addIssue({ code: "custom", message: `not http(s) URLs: ${bad.join(", ")}` });
    })
    .default([]),
  /** When the URLs are fetched again (conditional GET; five cron fields, UTC). */
  SANCTIONS_REFRESH_CRON: cronExpression.default("0 * * * *"),
  /** How often each instance looks for a new list version in the database. */
  SANCTIONS_POLL_SECONDS: wholeNumber(1, 30, 15).default(15),
  /** Customers screened per transaction in a rescreen. */
  SANCTIONS_RESCREEN_BATCH: wholeNumber(10, 10_000, 500).default(500),
  /** A compliance case open longer than this without a decision is overdue (flagged in the list and /metrics). */
  CASE_SLA_DAYS: wholeNumber(1, 3650, 30).default(30),
  HIGH_RISK_COUNTRIES: countryList.default([...FATF_CALL_FOR_ACTION]),
  KYC_HIGH_RISK_COUNTRY_OUTCOME: z
    .enum(["fail", "review"], { error: 'must be "fail" or "review"' })
    .default("fail"),
  /** In cents once parsed. */
  AML_REPORTING_THRESHOLD: moneyAmount.prefault("10000.00"),
  AML_VELOCITY: countPerWindow.prefault(
    `${DEFAULT_AML_VELOCITY.count}/${DEFAULT_AML_VELOCITY.windowSeconds}`,
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
  /** The creditor named on adverse-action notices (Regulation B 1002.9: the creditor's name and address). */
  CREDITOR_NAME: z.string().trim().min(1, "must name the creditor").max(200).default("BlockScore"),
  CREDITOR_ADDRESS: z
    .string()
    .trim()
    .min(1, "must be the creditor's postal address")
    .max(400)
    .default("BlockScore Lending, address not configured"),

  /** The weekly stability monitoring of the credit model (PSI of the score and of each feature). */
  MODEL_MONITORING_CRON: cronExpression.default("30 6 * * 1"),

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

  /** Webhook URLs on loopback, private or link-local addresses: allowed outside production unless set false. */
  WEBHOOKS_ALLOW_PRIVATE: booleanFlag.optional(),
  /** The first retry's delay; each next one doubles, up to an hour, until WEBHOOKS_RETRY_HOURS have passed. */
  WEBHOOKS_RETRY_BASE_SECONDS: wholeNumber(1, 3600, 30).default(30),
  WEBHOOKS_RETRY_HOURS: wholeNumber(1, 168, 24).default(24),
  WEBHOOKS_TIMEOUT_SECONDS: wholeNumber(1, 60, 10).default(10),
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
