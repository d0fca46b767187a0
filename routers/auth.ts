import { z } from "zod";
import {
  changePassword,
  loginUser,
  logoutEverywhere,
  logoutSession,
  revokeUserSession,
} from "../server/auth/account";
import { clearedSessionCookie, sessionCookie } from "../server/auth/cookie";
import { signUp } from "../server/auth/recovery";
import {
  emailSchema,
  passwordSchema,
  publicUserSchema,
  sessionSummarySchema,
  successSchema,
} from "../server/auth/schemas";
import { listUserSessions, sessionPolicy } from "../server/auth/session";
import type { Context } from "../server/context";
import { addressKey, consume } from "../server/security/rate-limit";
import { protectedProcedure, publicProcedure, router, sessionProcedure } from "../server/trpc";

const tags = ["auth"];

function setCookie(ctx: Pick<Context, "request">, value: string | null): void {
  if (value) ctx.request.setHeader("Set-Cookie", value);
}

export const authRouter = router({
  register: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/register",
        tags,
        summary: "Create an account and sign in; a verification token goes to the email address",
        protect: false,
      },
    })
    .input(
      z.object({
        email: emailSchema,
        password: passwordSchema,
        name: z.string({ error: "name is required" }).trim().min(1, "name is required").max(200),
      }),
    )
    .output(
      z.object({ user: publicUserSchema.pick({ id: true, email: true, name: true }), token: z.string() }),
    )
    .mutation(async ({ ctx, input }) => {
      await consume(ctx.limiters.register, addressKey(ctx.request.ip));
      const result = await signUp(ctx.db, ctx, {
        ...input,
        meta: ctx.request,
        policy: sessionPolicy(ctx.config),
      });
      setCookie(ctx, sessionCookie(ctx.config, result.token, result.expiresAt));
      return { user: result.user, token: result.token };
    }),

  login: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/login",
        tags,
        summary: "Sign in with email and password",
        protect: false,
      },
    })
    .input(z.object({ email: emailSchema, password: passwordSchema }))
    .output(
      z.object({
        token: z.string(),
        expiresAt: z.date(),
        user: publicUserSchema,
        mfaRequired: z
          .boolean()
          .meta({ description: "When true, call /auth/mfa/verify before anything else" }),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await loginUser(ctx.db, sessionPolicy(ctx.config), ctx.loginGuard, ctx.request, input);
      setCookie(ctx, sessionCookie(ctx.config, result.token, result.expiresAt));
      return result;
    }),

  logout: sessionProcedure
    .meta({
      openapi: { method: "POST", path: "/auth/logout", tags, summary: "End this session", protect: true },
    })
    .input(z.void())
    .output(successSchema)
    .mutation(async ({ ctx }) => {
      await logoutSession(ctx.db, ctx.request, ctx.session.id);
      setCookie(ctx, clearedSessionCookie(ctx.config));
      return { success: true as const };
    }),

  logoutAll: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/logout-all",
        tags,
        summary: "End every session of this account",
        protect: true,
      },
    })
    .input(z.void())
    .output(successSchema.extend({ endedSessions: z.number().int() }))
    .mutation(async ({ ctx }) => {
      const endedSessions = await logoutEverywhere(ctx.db, ctx.request, ctx.user.id);
      setCookie(ctx, clearedSessionCookie(ctx.config));
      return { success: true as const, endedSessions };
    }),

  sessions: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/auth/sessions",
        tags,
        summary: "List this account's sessions",
        protect: true,
      },
    })
    .input(z.void())
    .output(z.object({ sessions: z.array(sessionSummarySchema) }))
    .query(async ({ ctx }) => {
      const sessions = await listUserSessions(ctx.db, ctx.user.id);
      return {
        sessions: sessions.map((session) => ({ ...session, current: session.id === ctx.session.id })),
      };
    }),

  revokeSession: protectedProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/auth/sessions/{id}",
        tags,
        summary: "End one of this account's sessions",
        protect: true,
      },
    })
    .input(z.object({ id: z.string().min(1).max(64) }))
    .output(successSchema)
    .mutation(async ({ ctx, input }) => {
      await revokeUserSession(ctx.db, ctx.request, { userId: ctx.user.id, sessionId: input.id });
      return { success: true as const };
    }),

  changePassword: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/change-password",
        tags,
        summary: "Change the password; every other session ends",
        protect: true,
      },
    })
    .input(z.object({ currentPassword: passwordSchema, newPassword: passwordSchema }))
    .output(successSchema.extend({ endedSessions: z.number().int() }))
    .mutation(async ({ ctx, input }) => {
      const endedSessions = await changePassword(ctx.db, ctx.secretGuard, ctx.request, {
        userId: ctx.user.id,
        currentSessionId: ctx.session.id,
        ...input,
      });
      return { success: true as const, endedSessions };
    }),
});
