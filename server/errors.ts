/**
 * The one error type domain code throws. `kind` says which class of failure it is (and so which HTTP status);
 * `code` is the stable, specific reason clients can branch on (`EMAIL_TAKEN`, `DTI_TOO_HIGH`, ...).
 */
export type ErrorKind =
  | "invalid_input"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "unprocessable"
  | "rate_limited"
  | "unavailable";

/** Every code a DomainError carries; the README's error table says what each means and its HTTP status. */
export type ErrorCode =
  | "ALERT_ALREADY_CLOSED"
  | "AML_HIGH_RISK"
  | "AMOUNT_OUT_OF_RANGE"
  | "BATCH_AUTH_CALLS"
  | "BATCH_TOO_LARGE"
  | "CASE_DECIDED"
  | "CASE_NOT_REPORTED"
  | "CASE_NOT_TAKEN"
  | "CHAIN_UNAVAILABLE"
  | "CHAIN_UNREACHABLE"
  | "COMPLIANCE_HOLD"
  | "CSRF_REJECTED"
  | "DATABASE_UNAVAILABLE"
  | "DEFAULT_PRODUCT_NOT_RETIRABLE"
  | "DTI_TOO_HIGH"
  | "EMAIL_NOT_VERIFIED"
  | "EMAIL_TAKEN"
  | "FEE_EXCEEDS_AMOUNT"
  | "FORBIDDEN"
  | "FOUR_EYES_REQUIRED"
  | "HAS_DEFAULTED_LOAN"
  | "IDEMPOTENCY_KEY_INVALID"
  | "IDEMPOTENCY_KEY_REQUIRED"
  | "IDEMPOTENCY_KEY_REUSED"
  | "ILLEGAL_TRANSITION"
  | "INCOME_CHANGED"
  | "INCOME_NOT_VERIFIED"
  | "INSUFFICIENT_DATA"
  | "INVALID_AMOUNT"
  | "INVALID_CODE"
  | "INVALID_COUNTRY"
  | "INVALID_CURSOR"
  | "INVALID_EFFECTIVE_DATE"
  | "INVALID_EVENT"
  | "INVALID_LIMIT"
  | "INVALID_PERIOD"
  | "INVALID_WINDOW"
  | "INVALID_PROOF"
  | "JOBS_UNAVAILABLE"
  | "INVALID_TOKEN"
  | "KYC_ALREADY_VERIFIED"
  | "KYC_NOT_IN_REVIEW"
  | "KYC_NOT_VERIFIED"
  | "LOAN_NOT_DISBURSED"
  | "LOAN_NOT_OUTSTANDING"
  | "LOAN_NOT_REPAYABLE"
  | "LOAN_NOT_RESTRUCTURABLE"
  | "LOAN_NOT_WRITTEN_OFF"
  | "MFA_ALREADY_ENABLED"
  | "MFA_NOT_ENABLED"
  | "MFA_REQUIRED"
  | "MFA_SETUP_NOT_STARTED"
  | "MODEL_NOT_LOADED"
  | "NOTHING_OUTSTANDING"
  | "NOTHING_TO_WRITE_OFF"
  | "NOT_ELIGIBLE"
  | "NOT_FOUND"
  | "NO_SCORE"
  | "OTP_UNAVAILABLE"
  | "OVERPAYMENT"
  | "PARSE_ERROR"
  | "PAYMENTS_UNAVAILABLE"
  | "PAYMENT_NOT_PENDING"
  | "PAYOFF_DATE_IN_PAST"
  | "PHONE_MISSING"
  | "PRICING_INVALID"
  | "PRODUCT_RANGE_INVALID"
  | "PRODUCT_RETIRED"
  | "RATE_LIMITED"
  | "RESTRUCTURE_INVALID"
  | "RESTRUCTURE_NOT_PENDING"
  | "RESTRUCTURE_PENDING"
  | "SAME_PASSWORD"
  | "SANCTIONS_LIST_MISSING"
  | "SANCTIONS_LIST_UNAVAILABLE"
  | "SCORE_BELOW_FLOOR"
  | "SCORE_MISSING"
  | "SCORE_STALE"
  | "SELF_DEMOTION"
  | "SIWE_CHAIN_MISMATCH"
  | "SIWE_CHALLENGE_EXPIRED"
  | "SIWE_CHALLENGE_UNKNOWN"
  | "SIWE_CHALLENGE_USED"
  | "SIWE_DOMAIN_MISMATCH"
  | "SIWE_MESSAGE_ALTERED"
  | "SIWE_MESSAGE_INVALID"
  | "SIWE_SIGNATURE_INVALID"
  | "TERM_OUT_OF_RANGE"
  | "TOO_MANY_OPEN_APPLICATIONS"
  | "UNAUTHENTICATED"
  | "UNDERAGE"
  | "VALUE_TOO_LARGE"
  | "WALLET_TAKEN"
  | "WEAK_PASSWORD"
  | "WEBHOOK_ENDPOINT_DELETED"
  | "WEBHOOK_SIGNATURE_INVALID"
  | "WEBHOOK_SIGNATURE_MISSING"
  | "WEBHOOK_TIMESTAMP_STALE"
  | "WEBHOOK_URL_REFUSED"
  | "WRONG_PASSWORD";

export class DomainError extends Error {
  override name = "DomainError";

  constructor(
    readonly kind: ErrorKind,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const invalidInput = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new DomainError("invalid_input", code, message, details);
export const notFound = (what: string) => new DomainError("not_found", "NOT_FOUND", `${what} not found`);
export const conflict = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new DomainError("conflict", code, message, details);
export const forbidden = (message = "You do not have access to this resource") =>
  new DomainError("forbidden", "FORBIDDEN", message);
export const unavailable = (code: ErrorCode, message: string) =>
  new DomainError("unavailable", code, message);
export const unprocessable = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new DomainError("unprocessable", code, message, details);
export const unauthenticated = (message = "Authentication required") =>
  new DomainError("unauthenticated", "UNAUTHENTICATED", message);

export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    readonly headers: Record<string, string> = {},
    message = "Too many requests, try again later",
  ) {
    super("rate_limited", "RATE_LIMITED", message, { retryAfterSeconds });
  }
}

/** A dependency that is down: the answer is 503 with `Retry-After`, and the client may simply try again. */
export class UnavailableError extends DomainError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("unavailable", code, message, { retryAfterSeconds });
  }
}

/** Seconds a client is told to wait when the database is down: the server reconnects on the next request after. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export const databaseUnavailable = () =>
  new UnavailableError(
    "DATABASE_UNAVAILABLE",
    "The database is unavailable; try again shortly",
    DATABASE_RETRY_AFTER_SECONDS,
  );
