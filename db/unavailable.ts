/**
 * Which failures mean "the database is not there" (as opposed to a bad statement or a bug): the server answers
 * those with 503 DATABASE_UNAVAILABLE and Retry-After, never 500. postgres.js raises socket errors with the
 * system's code, its own codes for a connection it lost or could not open, and PostgresError with the SQLSTATE a
 * stopping or starting server sends; drizzle wraps each in its own error with the original as `cause`.
 */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "DATABASE_TIMEOUT",
]);

/** admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down), then class 08. */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03"]);

/** A statement that waited longer than DB_REQUEST_TIMEOUT_MS for the database; the request gets its 503. */
export class DatabaseTimeoutError extends Error {
  override name = "DatabaseTimeoutError";
  readonly code = "DATABASE_TIMEOUT";

  constructor(timeoutMs: number) {
    super(`the database did not answer within ${timeoutMs} ms`);
  }
}

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  // Wrappers nest a few deep at most (tRPC error → drizzle error → postgres.js error); a cycle must not loop.
  for (let depth = 0; depth < 6 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") {
      if (CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))
        return true;
    }
    if (current instanceof AggregateError && current.errors.some(isDatabaseUnavailable)) return true;
    current = current.cause;
  }
  return false;
}

/**
 * Rejects with DatabaseTimeoutError when `work` has not settled after `timeoutMs`. The statement itself is not
 * cancelled (postgres.js cannot take one back from a server that does not answer); only the caller stops waiting.
 */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseTimeoutError(timeoutMs)), timeoutMs);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
