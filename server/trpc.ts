import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import { ZodError, z } from "zod";
import type { UserRole } from "../db/schema";
import type { Context } from "./context";
import { DomainError, forbidden, unauthenticated } from "./errors";
import { appCodeOf, detailsOf, domainErrorOf, domainTrpcError, publicMessage } from "./http/error-body";

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
      return {
        ...shape,
        message: publicMessage(error, development),
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          appCode: appCodeOf(error),
          details: detailsOf(error),
          fieldErrors: cause instanceof ZodError ? z.flattenError(cause).fieldErrors : undefined,
          stack: development ? shape.data.stack : undefined,
        },
      };
    },
  });

/** The one place domain errors become transport errors; a lost database becomes 503 DATABASE_UNAVAILABLE. */
const mapDomainErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = domainErrorOf(result.error.cause);
  // A dependency that failed this request is checked again at once, so /api/health says so without waiting.
  if (result.error.code === "INTERNAL_SERVER_ERROR" || cause?.kind === "unavailable") ctx.health.checkSoon();
  if (cause) throw domainTrpcError(cause, ctx.request.setHeader);
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Anyone, signed in or not. */
export const publicProcedure = t.procedure.use(mapDomainErrors);

/** A signed-in caller, including one whose session still waits for its second factor. */
export const sessionProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session || !ctx.user) throw unauthenticated();
  // Only the narrowed fields: tRPC merges them into the context itself (spreading the whole context here too
  // copied its twenty-odd fields twice per request).
  return next({ ctx: { session: ctx.session, user: ctx.user } });
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
