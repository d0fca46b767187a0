import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import { ZodError, z } from "zod";
import type { UserRole } from "../db/schema";
import type { Context } from "./context";
import { DomainError, type ErrorKind, forbidden, RateLimitedError, unauthenticated } from "./errors";

/**
 * Initialisation: one tRPC instance for the app. The formatter passes zod's issues per field and the
 * domain error's stable code; stack traces only leave the server in development.
 */
const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error, ctx }) {
      const development = ctx?.config.NODE_ENV === "development";
      const cause = error.cause;
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      return {
        ...shape,
        message: internal && !development ? "Internal server error" : shape.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          appCode: cause instanceof DomainError ? cause.code : shape.data.code,
          details: cause instanceof DomainError ? cause.details : undefined,
          fieldErrors: cause instanceof ZodError ? z.flattenError(cause).fieldErrors : undefined,
          stack: development ? shape.data.stack : undefined,
        },
      };
    },
  });

/** Each kind of domain failure as a tRPC code, and so (through tRPC) as an HTTP status. */
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

const isUnavailable = (cause: unknown) => cause instanceof DomainError && cause.kind === "unavailable";

/** The one place domain errors become transport errors. */
const mapDomainErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  // A dependency that failed this request is checked again at once, so /api/health says so without waiting.
  if (!result.ok && (result.error.code === "INTERNAL_SERVER_ERROR" || isUnavailable(result.error.cause))) {
    ctx.health.checkSoon();
  }
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    if (cause instanceof RateLimitedError) {
      ctx.request.setHeader("Retry-After", String(cause.retryAfterSeconds));
      for (const [name, value] of Object.entries(cause.headers)) ctx.request.setHeader(name, value);
    }
    throw new TRPCError({ code: trpcCodeByKind[cause.kind], message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Anyone, signed in or not. */
export const publicProcedure = t.procedure.use(mapDomainErrors);

/** A signed-in caller, including one whose session still waits for its second factor. */
export const sessionProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session || !ctx.user) throw unauthenticated();
  return next({ ctx: { ...ctx, session: ctx.session, user: ctx.user } });
});

/**
 * A signed-in caller whose session is complete: with MFA on, it has passed the second factor. This covers every
 * sensitive operation (password change, MFA disable, wallet link, loan apply and disburse, role grant).
 */
export const protectedProcedure = sessionProcedure.use(({ ctx, next }) => {
  if (ctx.user.mfaEnabled && !ctx.session.mfaVerified) {
    throw new DomainError("forbidden", "MFA_REQUIRED", "Complete two-factor verification first");
  }
  return next();
});

/** A signed-in caller holding one of the given roles. */
export const roleProcedure = (...roles: UserRole[]) =>
  protectedProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.user.role)) throw forbidden(`Requires the ${roles.join(" or ")} role`);
    return next();
  });
