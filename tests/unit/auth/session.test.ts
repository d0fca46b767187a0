import { beforeAll, describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { sessions, users } from "../../../db/schema";
import {
  createSession,
  hashSessionSecret,
  invalidateSession,
  invalidateUserSessions,
  validateSessionToken,
} from "../../../server/auth/session";
import { sharedTestDatabase } from "../../helpers/database";
import { uniqueEmail } from "../../helpers/users";

const DAY = 24 * 3600 * 1000;
const policy = { ttlMs: 30 * DAY, maxAgeMs: 90 * DAY, maxPerUser: 1000 };
let db: Database;
let userId: string;

beforeAll(async () => {
  db = (await sharedTestDatabase()).db;
  const [user] = await db
    .insert(users)
    .values({ email: uniqueEmail("session"), name: "S", passwordHash: "x" })
    .returning();
  userId = user?.id ?? "";
});

const newSession = () => createSession(db, policy, { userId, ip: null, userAgent: null, mfaVerified: false });

describe("sessions", () => {
  it("stores only the SHA-256 of the token's secret", async () => {
    const { token, session } = await newSession();
    const [id, secret] = token.split(".");
    expect(session.id).toBe(id ?? "");
    const [row] = await db.select().from(sessions).where(eq(sessions.id, session.id));
    expect(row?.secretHash).toBe(hashSessionSecret(secret ?? ""));
    expect(JSON.stringify(row)).not.toContain(secret ?? "");
  });

  it("validates a fresh token and returns its user", async () => {
    const { token } = await newSession();
    const result = await validateSessionToken(db, policy, token);
    expect(result.user?.id).toBe(userId);
  });

  it("refuses a token whose secret was altered", async () => {
    const { token } = await newSession();
    const [id] = token.split(".");
    const result = await validateSessionToken(db, policy, `${id}.${"a".repeat(52)}`);
    expect(result.session).toBeNull();
  });

  it("refuses malformed tokens", async () => {
    for (const token of ["", "nodot", "a.b.c", "."]) {
      expect((await validateSessionToken(db, policy, token)).session).toBeNull();
    }
  });

  it("deletes and refuses an expired session", async () => {
    const { token, session } = await newSession();
    await db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.id, session.id));
    expect((await validateSessionToken(db, policy, token)).session).toBeNull();
    expect(await db.select().from(sessions).where(eq(sessions.id, session.id))).toHaveLength(0);
  });

  it("extends a session used in the second half of its life", async () => {
    const { token, session } = await newSession();
    const soon = new Date(Date.now() + policy.ttlMs / 4);
    await db.update(sessions).set({ expiresAt: soon }).where(eq(sessions.id, session.id));
    const result = await validateSessionToken(db, policy, token);
    expect(result.session?.expiresAt.getTime()).toBeGreaterThan(Date.now() + policy.ttlMs * 0.9);
  });

  it("never extends a session past its absolute lifetime", async () => {
    const { token, session } = await newSession();
    const began = new Date(Date.now() - 80 * DAY);
    await db
      .update(sessions)
      .set({ createdAt: began, expiresAt: new Date(Date.now() + DAY) })
      .where(eq(sessions.id, session.id));
    const result = await validateSessionToken(db, policy, token);
    expect(result.session?.expiresAt.getTime()).toBe(began.getTime() + policy.maxAgeMs);
  });

  it("refuses a session older than its absolute lifetime even while it slides", async () => {
    const { token, session } = await newSession();
    await db
      .update(sessions)
      .set({ createdAt: new Date(Date.now() - 91 * DAY), expiresAt: new Date(Date.now() + 10 * DAY) })
      .where(eq(sessions.id, session.id));
    expect((await validateSessionToken(db, policy, token)).session).toBeNull();
  });

  it("refuses a token after its session is invalidated", async () => {
    const { token, session } = await newSession();
    await invalidateSession(db, session.id);
    expect((await validateSessionToken(db, policy, token)).session).toBeNull();
  });

  it("ends every session but the one kept", async () => {
    const kept = await newSession();
    const other = await newSession();
    await invalidateUserSessions(db, userId, kept.session.id);
    expect((await validateSessionToken(db, policy, kept.token)).session).not.toBeNull();
    expect((await validateSessionToken(db, policy, other.token)).session).toBeNull();
  });
});
