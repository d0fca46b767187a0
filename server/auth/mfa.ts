import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { financialProfiles, oneTimeCodes, recoveryCodes, type User, users } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import { conflict, DomainError, invalidInput, notFound, unavailable } from "../errors";
import type { SecretGuard } from "../security/secret-guard";
import type { OtpChannel, OtpSender } from "./otp-sender";
import { verifyPassword } from "./password";
import { generateRecoveryCode, generateSixDigitCode, normaliseRecoveryCode } from "./secret-codes";
import type { SecretVault } from "./secret-vault";
import { markSessionMfaVerified } from "./session";
import { generateTotpKey, matchTotp, totpEnrolment } from "./totp";

export const RECOVERY_CODE_COUNT = 10;
const ONE_TIME_CODE_TTL_MS = 5 * 60 * 1000;
const ONE_TIME_CODE_MAX_ATTEMPTS = 5;

async function findUser(db: Database, userId: string): Promise<User> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw notFound("User");
  return user;
}

/** Step one of enrolment: a new key, kept pending until a code from it is confirmed. */
export async function startTotpSetup(
  db: Database,
  vault: SecretVault,
  params: { userId: string; issuer: string },
): Promise<{ secret: string; uri: string }> {
  const user = await findUser(db, params.userId);
  if (user.mfaEnabled) throw conflict("MFA_ALREADY_ENABLED", "Two-factor authentication is already on");
  const key = generateTotpKey();
  await db
    .update(users)
    .set({ totpPendingKey: await vault.seal(key, user.id) })
    .where(eq(users.id, user.id));
  return totpEnrolment(key, params.issuer, user.email);
}

async function issueRecoveryCodes(db: Database, vault: SecretVault, userId: string): Promise<string[]> {
  await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  const rows = await Promise.all(
    codes.map(async (code) => ({
      userId,
      codeHash: await vault.digest("recovery-code", normaliseRecoveryCode(code)),
    })),
  );
  await db.insert(recoveryCodes).values(rows);
  return codes;
}

/** Step two: a correct code turns MFA on, marks this session verified and returns the recovery codes, once. */
export async function confirmTotpSetup(
  db: Database,
  secrets: { vault: SecretVault; guard: SecretGuard },
  meta: RequestMeta,
  params: { userId: string; sessionId: string; code: string },
): Promise<{ recoveryCodes: string[] }> {
  const { vault, guard } = secrets;
  const attempt = await guard.begin(params.userId);
  const result = await db
    .transaction(async (tx) => {
      const user = await findUser(tx, params.userId);
      if (user.mfaEnabled) throw conflict("MFA_ALREADY_ENABLED", "Two-factor authentication is already on");
      if (!user.totpPendingKey)
        throw invalidInput("MFA_SETUP_NOT_STARTED", "Start the authenticator setup first");
      const pendingKey = await openTotpKey(vault, user.totpPendingKey, user.id);
      const step = pendingKey ? matchTotp(pendingKey, params.code, null) : null;
      if (step === null) throw invalidInput("INVALID_CODE", "The code is not valid");
      await tx
        .update(users)
        .set({ mfaEnabled: true, totpKey: user.totpPendingKey, totpPendingKey: null, totpLastStep: step })
        .where(eq(users.id, user.id));
      const codes = await issueRecoveryCodes(tx, vault, user.id);
      await markSessionMfaVerified(tx, params.sessionId);
      await appendAudit(tx, meta, { action: "auth.mfa_enable", subjectType: "user", subjectId: user.id });
      return { recoveryCodes: codes };
    })
    .catch(async (error: unknown) => {
      // Only a wrong code counts as a failure; a setup that was not started was never a guess.
      if (!(error instanceof DomainError && error.code === "INVALID_CODE")) await attempt.release();
      throw error;
    });
  await attempt.release();
  return result;
}

/**
 * The user's authenticator key, or null when the stored value does not open for this user: sealed for another
 * account (copied across rows) or altered. The factor then fails like a wrong code, and the failure is audited.
 */
async function openTotpKey(vault: SecretVault, sealed: string, userId: string): Promise<string | null> {
  return vault.open(sealed, userId).catch(() => null);
}

async function consumeTotp(db: Database, vault: SecretVault, user: User, code: string): Promise<boolean> {
  const key = user.totpKey ? await openTotpKey(vault, user.totpKey, user.id) : null;
  if (!key) return false;
  const step = matchTotp(key, code, user.totpLastStep);
  if (step === null) return false;
  // Conditional update: of two concurrent requests with the same code, only one advances the step.
  const advanced = await db
    .update(users)
    .set({ totpLastStep: step })
    .where(
      and(
        eq(users.id, user.id),
        user.totpLastStep === null ? isNull(users.totpLastStep) : eq(users.totpLastStep, user.totpLastStep),
      ),
    )
    .returning({ id: users.id });
  return advanced.length === 1;
}

async function consumeOneTimeCode(
  db: Database,
  vault: SecretVault,
  userId: string,
  code: string,
): Promise<boolean> {
  const [latest] = await db
    .select()
    .from(oneTimeCodes)
    .where(
      and(
        eq(oneTimeCodes.userId, userId),
        isNull(oneTimeCodes.usedAt),
        gt(oneTimeCodes.expiresAt, new Date()),
      ),
    )
    .orderBy(desc(oneTimeCodes.createdAt))
    .limit(1);
  if (!latest || latest.attempts >= ONE_TIME_CODE_MAX_ATTEMPTS) return false;
  if (latest.codeHash !== (await vault.digest("one-time-code", code))) {
    await db
      .update(oneTimeCodes)
      .set({ attempts: latest.attempts + 1 })
      .where(eq(oneTimeCodes.id, latest.id));
    return false;
  }
  const used = await db
    .update(oneTimeCodes)
    .set({ usedAt: new Date() })
    .where(and(eq(oneTimeCodes.id, latest.id), isNull(oneTimeCodes.usedAt)))
    .returning({ id: oneTimeCodes.id });
  return used.length === 1;
}

async function consumeRecoveryCode(
  db: Database,
  vault: SecretVault,
  userId: string,
  code: string,
): Promise<boolean> {
  const codeHash = await vault.digest("recovery-code", normaliseRecoveryCode(code));
  const used = await db
    .update(recoveryCodes)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(recoveryCodes.userId, userId),
        eq(recoveryCodes.codeHash, codeHash),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ id: recoveryCodes.id });
  return used.length === 1;
}

export type SecondFactor = { code: string } | { recoveryCode: string };

/** Completes a session waiting for its second factor: an authenticator code, a sent code, or a recovery code. */
export async function verifySecondFactor(
  db: Database,
  secrets: { vault: SecretVault; guard: SecretGuard },
  meta: RequestMeta,
  params: { userId: string; sessionId: string; factor: SecondFactor },
): Promise<{ method: "totp" | "one_time_code" | "recovery_code" }> {
  const { vault, guard } = secrets;
  const attempt = await guard.begin(params.userId);
  // The audit of a failure must survive the failure, so it is written outside the rolled-back transaction.
  const outcome = await db
    .transaction(async (tx) => {
      const user = await findUser(tx, params.userId);
      if (!user.mfaEnabled)
        throw invalidInput("MFA_NOT_ENABLED", "Two-factor authentication is not on for this account");
      let method: "totp" | "one_time_code" | "recovery_code" | null = null;
      if ("recoveryCode" in params.factor) {
        if (await consumeRecoveryCode(tx, vault, user.id, params.factor.recoveryCode))
          method = "recovery_code";
      } else if (await consumeTotp(tx, vault, user, params.factor.code)) {
        method = "totp";
      } else if (await consumeOneTimeCode(tx, vault, user.id, params.factor.code)) {
        method = "one_time_code";
      }
      if (!method) return null;
      await markSessionMfaVerified(tx, params.sessionId);
      await appendAudit(tx, meta, {
        action: "auth.mfa_verify",
        subjectType: "session",
        subjectId: params.sessionId,
        details: { method },
      });
      return { method };
    })
    .catch(async (error: unknown) => {
      await attempt.release(); // refused before any code was judged
      throw error;
    });
  if (outcome) {
    await attempt.release();
    return outcome;
  }
  await db.transaction((tx) =>
    appendAudit(tx, meta, {
      action: "auth.mfa_verify_failed",
      subjectType: "session",
      subjectId: params.sessionId,
    }),
  );
  throw invalidInput("INVALID_CODE", "The code is not valid or was already used");
}

/** Sends a six-digit code by SMS or email; only the newest code counts. */
export async function sendOneTimeCode(
  db: Database,
  vault: SecretVault,
  sender: OtpSender | null,
  meta: RequestMeta,
  params: { userId: string; channel: OtpChannel },
): Promise<{ expiresAt: Date }> {
  if (!sender)
    throw unavailable("OTP_UNAVAILABLE", "Codes by SMS or email are not configured on this server");
  const user = await findUser(db, params.userId);
  if (!user.mfaEnabled)
    throw invalidInput("MFA_NOT_ENABLED", "Two-factor authentication is not on for this account");
  const [profile] = await db
    .select({ phoneNumber: financialProfiles.phoneNumber })
    .from(financialProfiles)
    .where(eq(financialProfiles.userId, user.id));
  const to = params.channel === "email" ? user.email : profile?.phoneNumber;
  if (!to) throw invalidInput("PHONE_MISSING", "Add a phone number to the profile to receive codes by SMS");
  const code = generateSixDigitCode();
  const expiresAt = new Date(Date.now() + ONE_TIME_CODE_TTL_MS);
  await db.transaction(async (tx) => {
    await tx.insert(oneTimeCodes).values({
      userId: user.id,
      channel: params.channel,
      codeHash: await vault.digest("one-time-code", code),
      expiresAt,
    });
    await appendAudit(tx, meta, {
      action: "auth.otp_send",
      subjectType: "user",
      subjectId: user.id,
      details: { channel: params.channel },
    });
  });
  await sender.send({ channel: params.channel, to, code });
  return { expiresAt };
}

/** Turning MFA off needs proof of presence: a current code or the password, each a guessable secret. */
export async function disableMfa(
  db: Database,
  secrets: { vault: SecretVault; guard: SecretGuard },
  meta: RequestMeta,
  params: { userId: string; proof: { code: string } | { password: string } },
): Promise<void> {
  const { vault, guard } = secrets;
  const user = await findUser(db, params.userId);
  if (!user.mfaEnabled)
    throw invalidInput("MFA_NOT_ENABLED", "Two-factor authentication is not on for this account");
  const attempt = await guard.begin(user.id);
  const proven = await db.transaction(async (tx) => {
    const valid =
      "password" in params.proof
        ? await verifyPassword(params.proof.password, user.passwordHash)
        : await consumeTotp(tx, vault, user, params.proof.code);
    if (!valid) return false;
    await tx
      .update(users)
      .set({ mfaEnabled: false, totpKey: null, totpPendingKey: null, totpLastStep: null })
      .where(eq(users.id, user.id));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    await appendAudit(tx, meta, { action: "auth.mfa_disable", subjectType: "user", subjectId: user.id });
    return true;
  });
  if (!proven) {
    await db.transaction((tx) =>
      appendAudit(tx, meta, { action: "auth.mfa_disable_failed", subjectType: "user", subjectId: user.id }),
    );
    throw invalidInput("INVALID_PROOF", "The code or password is not valid");
  }
  await attempt.release();
}
