import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { isDatabaseUnavailable } from "../../db/unavailable";
import {
  DomainError,
  databaseUnavailable,
  type ErrorKind,
  RateLimitedError,
  UnavailableError,
} from "../errors";

/**
 * The one place an error becomes what a client sees: its stable code, its message, its HTTP status and headers.
 * tRPC's error formatter, the REST routes and the transport guards (rate limit, CSRF, body size) all answer
 * through here.
 */

/** Every REST error: a stable code to branch on, a readable message, and what applies of the rest. */
export type ErrorBody = {
  code: string;
  message: string;
  issues?: unknown[];
  details?: Record<string, unknown>;
};

/** Each kind of domain failure as a tRPC code, and so (through tRPC's table) as an HTTP status. */
export const trpcCodeByKind: Record<ErrorKind, TRPC_ERROR_CODE_KEY> = {
  invalid_input: "BAD_REQUEST",
  unauthenticated: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  unprocessable: "UNPROCESSABLE_CONTENT",
  rate_limited: "TOO_MANY_REQUESTS",
  unavailable: "SERVICE_UNAVAILABLE",
};

const INTERNAL_MESSAGE = "Internal server error";

/** Anything thrown, as a tRPC error: an unknown failure is an internal one and says nothing of its cause. */
export function asTrpcError(cause: unknown): TRPCError {
  if (cause instanceof TRPCError) return cause;
  return new TRPCError({
    code: "INTERNAL_SERVER_ERROR",
    message: INTERNAL_MESSAGE,
    cause: cause instanceof Error ? cause : undefined,
  });
}

export function httpStatusOf(error: TRPCError): number {
  return getHTTPStatusCodeFromError(error);
}

/** The domain's specific reason (`EMAIL_TAKEN`) when a domain error caused it, else the transport's code. */
export function appCodeOf(error: TRPCError): string {
  return error.cause instanceof DomainError ? error.cause.code : error.code;
}

export function detailsOf(error: TRPCError): Record<string, unknown> | undefined {
  return error.cause instanceof DomainError ? error.cause.details : undefined;
}

/** What went wrong, except for internal failures: their message stays on the server outside development. */
export function publicMessage(error: TRPCError, development: boolean): string {
  return error.code === "INTERNAL_SERVER_ERROR" && !development ? INTERNAL_MESSAGE : error.message;
}

function isInputValidation(error: TRPCError): boolean {
  return error.code === "BAD_REQUEST" && error.cause instanceof Error && error.cause.name === "ZodError";
}

/** A procedure's failure as a REST body: zod's issues when the input did not parse, the domain's details. */
export function errorBody(error: TRPCError, development: boolean): ErrorBody {
  const validation = isInputValidation(error);
  const details = detailsOf(error);
  return {
    code: appCodeOf(error),
    message: validation ? "Input validation failed" : publicMessage(error, development),
    ...(validation ? { issues: (error.cause as Error & { issues: unknown[] }).issues } : {}),
    ...(details ? { details } : {}),
  };
}

/**
 * The domain error a failure stands for: itself, 503 DATABASE_UNAVAILABLE for a lost or unreachable database
 * (classified in db/unavailable.ts: refused or reset connections, a stopping server, DB_REQUEST_TIMEOUT_MS passed),
 * or null for anything else (a bug: 500).
 */
export function domainErrorOf(error: unknown): DomainError | null {
  if (error instanceof DomainError) return error;
  return isDatabaseUnavailable(error) ? databaseUnavailable() : null;
}

/** `Retry-After` (a spent budget, a dependency down) and the RateLimit-* headers; nothing for other errors. */
export function errorHeaders(error: unknown): Record<string, string> {
  if (error instanceof RateLimitedError)
    return { "Retry-After": String(error.retryAfterSeconds), ...error.headers };
  if (error instanceof UnavailableError) return { "Retry-After": String(error.retryAfterSeconds) };
  return {};
}

/** A domain error as the tRPC error procedures throw, its headers set on the answer. */
export function domainTrpcError(
  error: DomainError,
  setHeader: (name: string, value: string) => void,
): TRPCError {
  for (const [name, value] of Object.entries(errorHeaders(error))) setHeader(name, value);
  return new TRPCError({ code: trpcCodeByKind[error.kind], message: error.message, cause: error });
}

/** A domain error raised before any procedure ran (the transport's guards), with its status and headers. */
export function domainErrorAnswer(error: DomainError): {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
} {
  const status = httpStatusOf(new TRPCError({ code: trpcCodeByKind[error.kind] }));
  return {
    status,
    body: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
    headers: errorHeaders(error),
  };
}

export const internalErrorBody: ErrorBody = { code: "INTERNAL_SERVER_ERROR", message: INTERNAL_MESSAGE };
