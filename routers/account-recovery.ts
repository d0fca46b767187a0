import { z } from "zod";
import {
  confirmPasswordReset,
  requestPasswordReset,
  sendEmailVerification,
  verifyEmail,
} from "../server/auth/recovery";
import { emailSchema, passwordSchema, successSchema } from "../server/auth/schemas";
import { publicProcedure, router, sessionProcedure } from "../server/trpc";

const tags = ["auth"];
const tokenSchema = z
  .string({ error: "token is required" })
  .trim()
  .min(1, "token is required")
  .max(200, "token must be at most 200 characters");

export const accountRecoveryRouter = router({
  verifyEmail: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/email/verify",
        tags,
        summary: "Verify the account's email address with the token sent to it",
        protect: false,
      },
    })
    .input(z.object({ token: tokenSchema }))
    .output(successSchema)
    .mutation(async ({ ctx, input }) => {
      await verifyEmail(ctx.db, ctx, { token: input.token, meta: ctx.request });
      return { success: true as const };
    }),

  sendVerification: sessionProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/email/send-verification",
        tags,
        summary: "Send a new verification token to the account's email address",
        protect: true,
      },
    })
    .input(z.void())
    .output(successSchema.extend({ alreadyVerified: z.boolean() }))
    .mutation(async ({ ctx }) => {
      const result = await sendEmailVerification(ctx.db, ctx, {
        userId: ctx.user.id,
        limit: ctx.limiters.accountEmail,
      });
      return { success: true as const, ...result };
    }),

  requestPasswordReset: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/password-reset/request",
        tags,
        summary: "Email a password reset token (the answer is the same whether the account exists or not)",
        protect: false,
      },
    })
    .input(z.object({ email: emailSchema }))
    .output(successSchema.extend({ message: z.string() }))
    .mutation(async ({ ctx, input }) => {
      await requestPasswordReset(ctx.db, ctx, {
        email: input.email,
        meta: ctx.request,
        limits: { perAddress: ctx.limiters.passwordResetIp, perAccount: ctx.limiters.accountEmail },
      });
      return {
        success: true as const,
        message: "If an account uses this address, a password reset token is on its way",
      };
    }),

  confirmPasswordReset: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/password-reset/confirm",
        tags,
        summary: "Set a new password with a reset token; every session of the account ends",
        protect: false,
      },
    })
    .input(z.object({ token: tokenSchema, newPassword: passwordSchema }))
    .output(successSchema.extend({ endedSessions: z.number().int() }))
    .mutation(async ({ ctx, input }) => {
      const result = await confirmPasswordReset(ctx.db, ctx, { ...input, meta: ctx.request });
      return { success: true as const, ...result };
    }),
});
