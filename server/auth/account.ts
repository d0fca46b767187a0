import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { financialProfiles, sessions, users } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import { conflict, invalidInput, notFound, unauthenticated } from "../errors";
import type { LoginGuard } from "../security/login-guard";
import type { SecretGuard } from "../security/secret-guard";
import { hashPassword, passwordWeakness, verifyAgainstDecoy, verifyPassword } from "./password";
import {
  createSession,
  hasLiveSessionFrom,
  invalidateSession,
  invalidateUserSessions,
  type PublicUser,
  publicUserColumns,
  type SessionPolicy,
} from "./session";

export type ClientMeta = RequestMeta & { userAgent: string | null };
export type AuthResult = { token: string; expiresAt: Date; user: PublicUser };
/** With MFA on, the session can only complete its second factor (or log out) until it does. */
export type LoginResult = AuthResult & { mfaRequired: boolean };

export type RegisterParams = { email: string; password: string; name: string };

export async function registerUser(
  db: Database,
  policy: SessionPolicy,
  meta: ClientMeta,
  params: RegisterParams,
): Promise<AuthResult> {
  const weakness = passwordWeakness(params.password, [params.name, params.email.split("@")[0] ?? ""]);
  if (weakness) throw invalidInput("WEAK_PASSWORD", weakness);
  const passwordHash = await hashPassword(params.password);
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email: params.email, name: params.name, passwordHash })
      .onConflictDoNothing({ target: users.email })
      .returning(publicUserColumns);
    if (!user) throw conflict("EMAIL_TAKEN", "An account with this email already exists");
    await tx.insert(financialProfiles).values({ userId: user.id });
    const { token, session } = await createSession(tx, policy, {
      userId: user.id,
      ip: meta.ip,
      userAgent: meta.userAgent,
      mfaVerified: false,
    });
    await appendAudit(
      tx,
      { ...meta, actorId: user.id },
      { action: "auth.register", subjectType: "user", subjectId: user.id },
    );
    return { token, expiresAt: session.expiresAt, user };
  });
}

export type LoginParams = { email: string; password: string };

export async function loginUser(
  db: Database,
  policy: SessionPolicy,
  guard: LoginGuard,
  meta: ClientMeta,
  params: LoginParams,
): Promise<LoginResult> {
  // Charged before the hash is checked: concurrent guesses are counted before any of them is judged.
  const attempt = await guard.begin({
    ip: meta.ip,
    email: params.email,
    trustedAddress: () => hasLiveSessionFrom(db, params.email, meta.ip),
  });
  const [account] = await db.select().from(users).where(eq(users.email, params.email));
  const valid = account
    ? await verifyPassword(params.password, account.passwordHash)
    : await verifyAgainstDecoy(params.password);
  if (!account || !valid) {
    await attempt.failed();
    await db.transaction((tx) =>
      appendAudit(
        tx,
        { ...meta, actorId: account?.id ?? null },
        {
          action: "auth.login_failed",
          subjectType: "user",
          subjectId: account?.id,
          details: { email: params.email },
        },
      ),
    );
    throw unauthenticated("Invalid email or password");
  }
  await attempt.succeeded();
  return db.transaction(async (tx) => {
    const { token, session } = await createSession(tx, policy, {
      userId: account.id,
      ip: meta.ip,
      userAgent: meta.userAgent,
      mfaVerified: false,
    });
    await appendAudit(
      tx,
      { ...meta, actorId: account.id },
      {
        action: "auth.login",
        subjectType: "session",
        subjectId: session.id,
      },
    );
    const { id, email, name, role, mfaEnabled, createdAt } = account;
    return {
      token,
      expiresAt: session.expiresAt,
      user: { id, email, name, role, mfaEnabled, createdAt },
      mfaRequired: mfaEnabled,
    };
  });
}

export async function logoutSession(db: Database, meta: RequestMeta, sessionId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await invalidateSession(tx, sessionId);
    await appendAudit(tx, meta, { action: "auth.logout", subjectType: "session", subjectId: sessionId });
  });
}

export async function logoutEverywhere(db: Database, meta: RequestMeta, userId: string): Promise<number> {
  return db.transaction(async (tx) => {
    const ended = await invalidateUserSessions(tx, userId);
    await appendAudit(tx, meta, {
      action: "auth.logout_all",
      subjectType: "user",
      subjectId: userId,
      details: { ended },
    });
    return ended;
  });
}

/** Only the owner's own sessions can be found here; another user's session id is simply not found. */
export async function revokeUserSession(
  db: Database,
  meta: RequestMeta,
  params: { userId: string; sessionId: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    const ended = await tx
      .delete(sessions)
      .where(and(eq(sessions.id, params.sessionId), eq(sessions.userId, params.userId)))
      .returning({ id: sessions.id });
    if (ended.length === 0) throw notFound("Session");
    await appendAudit(tx, meta, {
      action: "auth.session_revoke",
      subjectType: "session",
      subjectId: params.sessionId,
    });
  });
}

export type ChangePasswordParams = {
  userId: string;
  currentSessionId: string;
  currentPassword: string;
  newPassword: string;
};

/**
 * Every other session ends: whoever learnt the old password loses access with it. The current password is a
 * guessable secret like any other: each wrong one spends the user's budget of failures.
 */
export async function changePassword(
  db: Database,
  guard: SecretGuard,
  meta: RequestMeta,
  params: ChangePasswordParams,
): Promise<number> {
  const [account] = await db.select().from(users).where(eq(users.id, params.userId));
  if (!account) throw notFound("User");
  const attempt = await guard.begin(account.id);
  if (!(await verifyPassword(params.currentPassword, account.passwordHash))) {
    await db.transaction((tx) =>
      appendAudit(tx, meta, {
        action: "auth.password_change_failed",
        subjectType: "user",
        subjectId: account.id,
      }),
    );
    throw invalidInput("WRONG_PASSWORD", "Current password is incorrect");
  }
  await attempt.release();
  if (params.newPassword === params.currentPassword) {
    throw invalidInput("SAME_PASSWORD", "New password must differ from the current one");
  }
  const weakness = passwordWeakness(params.newPassword, [account.name, account.email.split("@")[0] ?? ""]);
  if (weakness) throw invalidInput("WEAK_PASSWORD", weakness);
  const passwordHash = await hashPassword(params.newPassword);
  return db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, params.userId));
    const ended = await invalidateUserSessions(tx, params.userId, params.currentSessionId);
    await appendAudit(tx, meta, {
      action: "auth.password_change",
      subjectType: "user",
      subjectId: params.userId,
      details: { endedSessions: ended },
    });
    return ended;
  });
}
