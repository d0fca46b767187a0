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

export class DomainError extends Error {
  override name = "DomainError";

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const invalidInput = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError("invalid_input", code, message, details);
export const notFound = (what: string) => new DomainError("not_found", "NOT_FOUND", `${what} not found`);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError("conflict", code, message, details);
export const forbidden = (message = "You do not have access to this resource") =>
  new DomainError("forbidden", "FORBIDDEN", message);
export const unavailable = (code: string, message: string) => new DomainError("unavailable", code, message);
export const unprocessable = (code: string, message: string, details?: Record<string, unknown>) =>
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
