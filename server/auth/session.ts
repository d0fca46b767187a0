import { createHash, timingSafeEqual } from "node:crypto";
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import { and, desc, eq, gt, ne, notInArray, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type Session, sessions, type User, users } from "../../db/schema";
import type { Config } from "../config";

/**
 * Lucia's session design, "id.secret" flavour: the id finds the row, only the SHA-256 of the secret is
 * stored, and it is compared in constant time. A leaked database holds no usable token.
 * A session slides by `ttlMs` while used, but never past `maxAgeMs` after it began; a user holds at most
 * `maxPerUser` sessions, and a new one ends the oldest.
 */
export type SessionPolicy = { ttlMs: number; maxAgeMs: number; maxPerUser: number };

const DAY_MS = 24 * 60 * 60 * 1000;

/** The policy the SESSION_* variables set. */
export function sessionPolicy(
  config: Pick<Config, "SESSION_TTL_DAYS" | "SESSION_MAX_DAYS" | "SESSION_MAX_PER_USER">,
): SessionPolicy {
  return {
    ttlMs: config.SESSION_TTL_DAYS * DAY_MS,
    maxAgeMs: config.SESSION_MAX_DAYS * DAY_MS,
    maxPerUser: config.SESSION_MAX_PER_USER,
  };
}

export type PublicUser = Pick<User, "id" | "email" | "name" | "role" | "mfaEnabled" | "createdAt">;
export type SessionValidation = { session: Session; user: PublicUser } | { session: null; user: null };

function randomToken(bytes: number): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** SHA-256 in hex, by the runtime's native hash: it runs on every authenticated request. */
export function hashSessionSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
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
      expiresAt: new Date(Date.now() + Math.min(policy.ttlMs, policy.maxAgeMs)),
    })
    .returning();
  if (!session) throw new Error("session insert returned no row");
  await endOldestSessions(db, params.userId, id, policy.maxPerUser);
  return { token: `${id}.${secret}`, session };
}

/** Keeps the newest `maxPerUser` sessions of the user, the one just made always among them. */
async function endOldestSessions(db: Database, userId: string, newId: string, maxPerUser: number) {
  const newestOthers = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), ne(sessions.id, newId)))
    .orderBy(desc(sessions.createdAt), desc(sessions.id))
    .limit(maxPerUser - 1);
  await db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), ne(sessions.id, newId), notInArray(sessions.id, newestOthers)));
}

export const publicUserColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  mfaEnabled: users.mfaEnabled,
  createdAt: users.createdAt,
};

/**
 * Sliding expiry: a session used in the second half of its life is extended to a full lifetime, but never past
 * its absolute end (`maxAgeMs` after it began).
 */
/**
 * The session lookup of every authenticated request, built once per database handle: drizzle then skips
 * rebuilding its SQL, and Postgres can keep the plan (unless DATABASE_POOL_MODE=transaction turns naming off).
 */
const sessionLookups = new WeakMap<Database, ReturnType<typeof buildSessionLookup>>();

function buildSessionLookup(db: Database) {
  return db
    .select({ session: sessions, user: publicUserColumns })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder("id")))
    .prepare("blockscore_session_by_id");
}

function sessionById(db: Database) {
  let lookup = sessionLookups.get(db);
  if (!lookup) {
    lookup = buildSessionLookup(db);
    sessionLookups.set(db, lookup);
  }
  return lookup;
}

export async function validateSessionToken(
  db: Database,
  policy: SessionPolicy,
  token: string,
): Promise<SessionValidation> {
  const [id, secret, extra] = token.split(".");
  if (!id || !secret || extra !== undefined) return { session: null, user: null };
  const [row] = await sessionById(db).execute({ id });
  if (!row) return { session: null, user: null };
  const expected = Buffer.from(row.session.secretHash);
  const actual = Buffer.from(hashSessionSecret(secret));
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return { session: null, user: null };
  }
  const now = Date.now();
  const absoluteEnd = row.session.createdAt.getTime() + policy.maxAgeMs;
  if (row.session.expiresAt.getTime() <= now || absoluteEnd <= now) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return { session: null, user: null };
  }
  const extended = Math.min(now + policy.ttlMs, absoluteEnd);
  if (
    row.session.expiresAt.getTime() - now < policy.ttlMs / 2 &&
    extended > row.session.expiresAt.getTime()
  ) {
    const expiresAt = new Date(extended);
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

/** Whether the account behind `email` holds a live session opened from `ip`: the owner's own address. */
export async function hasLiveSessionFrom(db: Database, email: string, ip: string | null): Promise<boolean> {
  if (!ip) return false;
  const [row] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(users.email, email), eq(sessions.ip, ip), gt(sessions.expiresAt, new Date())))
    .limit(1);
  return row !== undefined;
}
