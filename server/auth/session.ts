import { sha256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import { and, desc, eq, gt, ne } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type Session, sessions, type User, users } from "../../db/schema";

/**
 * Lucia's session design, "id.secret" flavour: the id finds the row, only the SHA-256 of the secret is
 * stored, and it is compared in constant time. A leaked database holds no usable token.
 */
export type SessionPolicy = { ttlMs: number };

export type PublicUser = Pick<User, "id" | "email" | "name" | "role" | "mfaEnabled" | "createdAt">;
export type SessionValidation = { session: Session; user: PublicUser } | { session: null; user: null };

function randomToken(bytes: number): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function hashSessionSecret(secret: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)));
}

export type NewSession = { token: string; session: Session };

export async function createSession(
  db: Database,
  policy: SessionPolicy,
  params: { userId: string; ip: string | null; userAgent: string | null; mfaVerified: boolean },
): Promise<NewSession> {
  const id = randomToken(15);
  const secret = randomToken(32);
  const [session] = await db
    .insert(sessions)
    .values({
      id,
      userId: params.userId,
      secretHash: hashSessionSecret(secret),
      mfaVerified: params.mfaVerified,
      ip: params.ip,
      userAgent: params.userAgent?.slice(0, 512) ?? null,
      expiresAt: new Date(Date.now() + policy.ttlMs),
    })
    .returning();
  if (!session) throw new Error("session insert returned no row");
  return { token: `${id}.${secret}`, session };
}

export const publicUserColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  mfaEnabled: users.mfaEnabled,
  createdAt: users.createdAt,
};

/** Sliding expiry: a session used in the second half of its life is extended to a full lifetime. */
export async function validateSessionToken(
  db: Database,
  policy: SessionPolicy,
  token: string,
): Promise<SessionValidation> {
  const [id, secret, extra] = token.split(".");
  if (!id || !secret || extra !== undefined) return { session: null, user: null };
  const [row] = await db
    .select({ session: sessions, user: publicUserColumns })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, id));
  if (!row) return { session: null, user: null };
  const expected = new TextEncoder().encode(row.session.secretHash);
  const actual = new TextEncoder().encode(hashSessionSecret(secret));
  if (!constantTimeEqual(expected, actual)) return { session: null, user: null };
  const now = Date.now();
  if (row.session.expiresAt.getTime() <= now) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return { session: null, user: null };
  }
  if (row.session.expiresAt.getTime() - now < policy.ttlMs / 2) {
    const expiresAt = new Date(now + policy.ttlMs);
    await db
      .update(sessions)
      .set({ expiresAt, lastSeenAt: new Date(now) })
      .where(eq(sessions.id, id));
    return { session: { ...row.session, expiresAt, lastSeenAt: new Date(now) }, user: row.user };
  }
  return { session: row.session, user: row.user };
}

export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends every session of the user, or every one but `exceptSessionId`; returns how many ended. */
export async function invalidateUserSessions(
  db: Database,
  userId: string,
  exceptSessionId?: string,
): Promise<number> {
  const condition = exceptSessionId
    ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId))
    : eq(sessions.userId, userId);
  const ended = await db.delete(sessions).where(condition).returning({ id: sessions.id });
  return ended.length;
}

export type SessionSummary = Pick<
  Session,
  "id" | "ip" | "userAgent" | "createdAt" | "lastSeenAt" | "expiresAt"
>;

export async function listUserSessions(db: Database, userId: string): Promise<SessionSummary[]> {
  return db
    .select({
      id: sessions.id,
      ip: sessions.ip,
      userAgent: sessions.userAgent,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, new Date())))
    .orderBy(desc(sessions.lastSeenAt));
}

export async function markSessionMfaVerified(db: Database, sessionId: string): Promise<void> {
  await db.update(sessions).set({ mfaVerified: true }).where(eq(sessions.id, sessionId));
}
