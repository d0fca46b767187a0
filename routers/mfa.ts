import { z } from "zod";
import {
  confirmTotpSetup,
  disableMfa,
  sendOneTimeCode,
  startTotpSetup,
  verifySecondFactor,
} from "../server/auth/mfa";
import { successSchema } from "../server/auth/schemas";
import { consume } from "../server/security/rate-limit";
import { protectedProcedure, router, sessionProcedure } from "../server/trpc";

const tags = ["mfa"];
const sixDigits = z.string().regex(/^\d{6}$/, "code must be six digits");
const recoveryCode = z
  .string()
  .min(24, "recoveryCode is too short: it has 24 letters and digits, e.g. ABCD-EFGH-IJKL-MNOP-QRST-UVWX")
  .max(40);

/** REST inputs must be one object, so "one of" is an object whose fields are checked to be exclusive. */
function exactlyOne<T extends Record<string, z.ZodType>>(shape: T) {
  const names = Object.keys(shape);
  return z
    .object(
      Object.fromEntries(names.map((name) => [name, (shape[name] as z.ZodType).optional()])) as {
        [K in keyof T]: z.ZodOptional<T[K]>;
      },
    )
    .refine(
      (value) => names.filter((name) => (value as Record<string, unknown>)[name] !== undefined).length === 1,
      {
        message: `Send exactly one of: ${names.join(", ")}`,
      },
    );
}

export const mfaRouter = router({
  totpSetup: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/mfa/totp/setup",
        tags,
        summary: "Start authenticator-app enrolment",
        protect: true,
      },
    })
    .input(z.void())
    .output(z.object({ secret: z.string(), uri: z.string() }))
    .mutation(({ ctx }) =>
      startTotpSetup(ctx.db, ctx.vault, { userId: ctx.user.id, issuer: ctx.config.MFA_ISSUER }),
    ),

  totpConfirm: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/mfa/totp/confirm",
        tags,
        summary: "Confirm enrolment with a code; returns ten recovery codes, shown once",
        protect: true,
      },
    })
    .input(z.object({ code: sixDigits }))
    .output(z.object({ recoveryCodes: z.array(z.string()) }))
    .mutation(async ({ ctx, input }) => {
      await consume(ctx.limiters.mfa, ctx.user.id);
      return confirmTotpSetup(ctx.db, { vault: ctx.vault, guard: ctx.secretGuard }, ctx.request, {
        userId: ctx.user.id,
        sessionId: ctx.session.id,
        code: input.code,
      });
    }),

  verify: sessionProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/mfa/verify",
        tags,
        summary: "Complete a login with an authenticator code, a sent code or a recovery code",
        protect: true,
      },
    })
    .input(exactlyOne({ code: sixDigits, recoveryCode }))
    .output(successSchema.extend({ method: z.enum(["totp", "one_time_code", "recovery_code"]) }))
    .mutation(async ({ ctx, input }) => {
      await consume(ctx.limiters.mfa, ctx.user.id);
      const { method } = await verifySecondFactor(
        ctx.db,
        { vault: ctx.vault, guard: ctx.secretGuard },
        ctx.request,
        {
          userId: ctx.user.id,
          sessionId: ctx.session.id,
          factor:
            input.code === undefined ? { recoveryCode: input.recoveryCode ?? "" } : { code: input.code },
        },
      );
      return { success: true as const, method };
    }),

  sendCode: sessionProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/mfa/otp/send",
        tags,
        summary: "Send a six-digit code by SMS or email",
        protect: true,
      },
    })
    .input(z.object({ channel: z.enum(["sms", "email"]) }))
    .output(successSchema.extend({ expiresAt: z.date() }))
    .mutation(async ({ ctx, input }) => {
      await consume(ctx.limiters.mfa, ctx.user.id);
      const { expiresAt } = await sendOneTimeCode(ctx.db, ctx.vault, ctx.otpSender, ctx.request, {
        userId: ctx.user.id,
        channel: input.channel,
      });
      return { success: true as const, expiresAt };
    }),

  disable: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/mfa/disable",
        tags,
        summary: "Turn MFA off with a current code or the password",
        protect: true,
      },
    })
    .input(exactlyOne({ code: sixDigits, password: z.string().min(1).max(256) }))
    .output(successSchema)
    .mutation(async ({ ctx, input }) => {
      await consume(ctx.limiters.mfa, ctx.user.id);
      const proof = input.code === undefined ? { password: input.password ?? "" } : { code: input.code };
      await disableMfa(ctx.db, { vault: ctx.vault, guard: ctx.secretGuard }, ctx.request, {
        userId: ctx.user.id,
        proof,
      });
      return { success: true as const };
    }),
});
