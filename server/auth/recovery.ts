import { eq, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "../../db/client";
import { users } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import { DomainError, invalidInput, notFound, unavailable } from "../errors";
import { describeError } from "../log-redaction";
import { addressKey, consume, type Limiter } from "../security/rate-limit";
import { type AuthResult, type ClientMeta, type RegisterParams, registerUser } from "./account";
import { consumeAccountToken, issueAccountToken } from "./account-tokens";
import type { OtpSender } from "./otp-sender";
import { hashPassword, passwordWeakness } from "./password";
import { invalidateUserSessions, type SessionPolicy } from "./session";

export type RecoveryDeps = {
  otpSender: OtpSender | null;
  logger: Logger;
};

const invalidToken = (what: string) =>
  invalidInput("INVALID_TOKEN", `The ${what} token is invalid, expired or already used`);

export type SendVerificationParams = {
  userId: string;
  /** The per-address budget of recovery emails, when the user asks for another one. */
  limit?: Limiter;
  now?: Date;
};

/**
 * Sends a fresh verification token to the user's address (at sign-up, and again on request). Without a
 * provider it is 503 OTP_UNAVAILABLE, as the one-time codes are.
 */
export async function sendEmailVerification(
  db: Database,
  deps: RecoveryDeps,
  params: SendVerificationParams,
): Promise<{ alreadyVerified: boolean }> {
  const sender = deps.otpSender;
  if (!sender) throw unavailable("OTP_UNAVAILABLE", "No email provider is configured");
  const now = params.now ?? new Date();
  const [user] = await db
    .select({ email: users.email, verifiedAt: users.emailVerifiedAt })
    .from(users)
    .where(eq(users.id, params.userId));
  if (!user) throw notFound("User");
  if (user.verifiedAt) return { alreadyVerified: true };
  if (params.limit) await consume(params.limit, user.email);
  const token = await issueAccountToken(db, {
    userId: params.userId,
    purpose: "email_verification",
    email: user.email,
    now,
  });
  await sender.send({ channel: "email", to: user.email, code: token, purpose: "email-verification" });
  return { alreadyVerified: false };
}

export type SignUpParams = RegisterParams & { meta: ClientMeta; policy: SessionPolicy };

/**
 * Registration, then the verification email. The account exists whether or not the email goes out (no provider,
 * or the provider failing): the user asks for another with `POST /api/auth/email/send-verification`.
 */
export async function signUp(db: Database, deps: RecoveryDeps, params: SignUpParams): Promise<AuthResult> {
  const { meta, policy, ...registration } = params;
  const result = await registerUser(db, policy, meta, registration);
  await sendEmailVerification(db, deps, { userId: result.user.id }).catch((error: unknown) =>
    deps.logger.warn({ err: describeError(error) }, "verification email not sent at sign-up"),
  );
  return result;
}

export type VerifyEmailParams = { token: string; meta: RequestMeta; now?: Date };

/** The token proves the address it was sent to; an address changed since then stays unverified. */
export async function verifyEmail(
  db: Database,
  _deps: RecoveryDeps,
  params: VerifyEmailParams,
): Promise<{ userId: string }> {
  const now = params.now ?? new Date();
  return db.transaction(async (tx) => {
    const used = await consumeAccountToken(tx, { token: params.token, purpose: "email_verification", now });
    if (!used) throw invalidToken("verification");
    const [user] = await tx
      .update(users)
      .set({ emailVerifiedAt: now, updatedAt: now })
      .where(eq(users.id, used.userId))
      .returning({ email: users.email });
    if (!user || user.email !== used.email) throw invalidToken("verification");
    await appendAudit(
      tx,
      { ...params.meta, actorId: params.meta.actorId ?? used.userId },
      { action: "auth.email_verified", subjectType: "user", subjectId: used.userId },
    );
    return { userId: used.userId };
  });
}

export type RequestResetParams = {
  email: string;
  meta: RequestMeta;
  limits: { perAddress: Limiter; perAccount: Limiter };
  now?: Date;
};

/**
 * Starts a password reset. The answer is the same whether an account has this address or not, and takes the
 * same path: both budgets (per client address, per email asked for) are spent before the account is looked
 * up, and the token goes out after the answer, so neither a 429 nor the time taken says whether it exists.
 */
export async function requestPasswordReset(
  db: Database,
  deps: RecoveryDeps,
  params: RequestResetParams,
): Promise<void> {
  await consume(params.limits.perAddress, addressKey(params.meta.ip));
  await consume(params.limits.perAccount, params.email);
  const sender = deps.otpSender;
  if (!sender) throw unavailable("OTP_UNAVAILABLE", "No email provider is configured");
  const now = params.now ?? new Date();
  const token = await db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.email, params.email));
    if (!user) return null;
    const issued = await issueAccountToken(tx, {
      userId: user.id,
      purpose: "password_reset",
      email: params.email,
      now,
    });
    await appendAudit(tx, params.meta, {
      action: "auth.password_reset_requested",
      subjectType: "user",
      subjectId: user.id,
    });
    return issued;
  });
  if (!token) return;
  sender
    .send({ channel: "email", to: params.email, code: token, purpose: "password-reset" })
    .catch((error: unknown) =>
      deps.logger.error({ err: describeError(error) }, "password reset email not sent"),
    );
}

export type ConfirmResetParams = { token: string; newPassword: string; meta: RequestMeta; now?: Date };

/**
 * Sets the new password with a reset token: every session of the account ends (whoever held one may be who
 * took the account over), and the reset is audited. The token also proves the address, so it counts as verified.
 */
export async function confirmPasswordReset(
  db: Database,
  _deps: RecoveryDeps,
  params: ConfirmResetParams,
): Promise<{ endedSessions: number }> {
  const now = params.now ?? new Date();
  // Hashed before the transaction: argon2 is slow, and a row lock should not wait on it.
  const passwordHash = await hashPassword(params.newPassword);
  return db.transaction(async (tx) => {
    const used = await consumeAccountToken(tx, { token: params.token, purpose: "password_reset", now });
    if (!used) throw invalidToken("password reset");
    const [user] = await tx
      .select({ name: users.name, email: users.email })
      .from(users)
      .where(eq(users.id, used.userId));
    if (!user || user.email !== used.email) throw invalidToken("password reset");
    const weakness = passwordWeakness(params.newPassword, [user.name, user.email.split("@")[0] ?? ""]);
    // Thrown inside the transaction: the token stays unused, so the user can try a stronger password.
    if (weakness) throw new DomainError("invalid_input", "WEAK_PASSWORD", weakness);
    await tx
      .update(users)
      .set({
        passwordHash,
        emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)`,
        updatedAt: now,
      })
      .where(eq(users.id, used.userId));
    const endedSessions = await invalidateUserSessions(tx, used.userId);
    await appendAudit(
      tx,
      { ...params.meta, actorId: used.userId },
      {
        action: "auth.password_reset",
        subjectType: "user",
        subjectId: used.userId,
        details: { endedSessions },
      },
    );
    return { endedSessions };
  });
}
