import { beforeAll, describe, expect, it } from "bun:test";
import { and, eq } from "drizzle-orm";
import { auditLog } from "../../db/schema";
import type { AppDeps } from "../../server/context";
import { callerFor, testDeps } from "../helpers/app";
import { registerTestUser, TEST_PASSWORD, uniqueEmail } from "../helpers/users";

let deps: AppDeps;
beforeAll(async () => {
  deps = await testDeps();
});

const auditActions = async (actorId: string) =>
  (await deps.db.select().from(auditLog).where(eq(auditLog.actorId, actorId))).map((entry) => entry.action);

describe("registration", () => {
  it("creates a user with the user role, a session and an audit entry", async () => {
    const { user, caller } = await registerTestUser(deps, "Ada Lovelace");
    const profile = await caller.profile.get();
    expect(profile.user).toMatchObject({ id: user.id, name: "Ada Lovelace", role: "user" });
    expect(await auditActions(user.id)).toContain("auth.register");
  });

  it("normalises the email so one address is one account", async () => {
    const email = uniqueEmail();
    const anonymous = await callerFor(deps);
    await anonymous.auth.register({ email: email.toUpperCase(), password: TEST_PASSWORD, name: "A" });
    await expect(
      anonymous.auth.register({ email, password: TEST_PASSWORD, name: "B" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("refuses a weak password and creates nothing", async () => {
    const email = uniqueEmail();
    const anonymous = await callerFor(deps);
    await expect(
      anonymous.auth.register({ email, password: "password1234", name: "W" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("too common"),
    });
    await expect(anonymous.auth.login({ email, password: "password1234" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });
});

describe("login", () => {
  it("returns a working token and audits the success", async () => {
    const { email, user } = await registerTestUser(deps);
    const {
      token,
      user: loggedIn,
      expiresAt,
    } = await (await callerFor(deps)).auth.login({ email, password: TEST_PASSWORD });
    expect(loggedIn.id).toBe(user.id);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect((await (await callerFor(deps, { token })).profile.get()).user.id).toBe(user.id);
    expect(await auditActions(user.id)).toContain("auth.login");
  });

  it("answers a wrong password and an unknown email the same way, and audits the failure", async () => {
    const { email, user } = await registerTestUser(deps);
    const anonymous = await callerFor(deps);
    const wrong = await anonymous.auth
      .login({ email, password: "not-the-password-1" })
      .catch((error) => error);
    const unknown = await anonymous.auth
      .login({ email: uniqueEmail(), password: "x" })
      .catch((error) => error);
    expect(wrong.code).toBe("UNAUTHORIZED");
    expect(unknown.code).toBe("UNAUTHORIZED");
    expect(wrong.message).toBe(unknown.message);
    expect(await auditActions(user.id)).toContain("auth.login_failed");
  });
});

describe("sessions", () => {
  it("logout ends the session at once", async () => {
    const { caller, token } = await registerTestUser(deps);
    await caller.auth.logout();
    await expect((await callerFor(deps, { token })).profile.get()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });

  it("lists the user's own sessions and marks the current one", async () => {
    const { email, caller } = await registerTestUser(deps);
    await (await callerFor(deps)).auth.login({ email, password: TEST_PASSWORD });
    const { sessions } = await caller.auth.sessions();
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((session) => session.current)).toHaveLength(1);
  });

  it("revokes one session, and cannot revoke another user's", async () => {
    const owner = await registerTestUser(deps);
    const second = await (await callerFor(deps)).auth.login({ email: owner.email, password: TEST_PASSWORD });
    const intruder = await registerTestUser(deps);
    const [secondId] = second.token.split(".");
    await expect(intruder.caller.auth.revokeSession({ id: secondId ?? "" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await (await callerFor(deps, { token: second.token })).profile.get()).user.id).toBe(
      owner.user.id,
    );
    await owner.caller.auth.revokeSession({ id: secondId ?? "" });
    await expect((await callerFor(deps, { token: second.token })).profile.get()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });

  it("logout everywhere ends every session", async () => {
    const { email, caller, token } = await registerTestUser(deps);
    const other = await (await callerFor(deps)).auth.login({ email, password: TEST_PASSWORD });
    expect((await caller.auth.logoutAll()).endedSessions).toBe(2);
    for (const t of [token, other.token]) {
      await expect((await callerFor(deps, { token: t })).profile.get()).rejects.toMatchObject({
        code: "UNAUTHORIZED",
      });
    }
  });
});

describe("password change", () => {
  it("ends every other session, keeps this one, and the new password works", async () => {
    const { email, caller, user } = await registerTestUser(deps);
    const other = await (await callerFor(deps)).auth.login({ email, password: TEST_PASSWORD });
    const newPassword = "granite-meadow-compass-77";
    expect(
      (await caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword })).endedSessions,
    ).toBe(1);
    await expect((await callerFor(deps, { token: other.token })).profile.get()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    expect((await caller.profile.get()).user.id).toBe(user.id);
    await (await callerFor(deps)).auth.login({ email, password: newPassword });
    const actions = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, user.id), eq(auditLog.action, "auth.password_change")));
    expect(actions).toHaveLength(1);
  });

  it("refuses a wrong current password", async () => {
    const { caller } = await registerTestUser(deps);
    await expect(
      caller.auth.changePassword({
        currentPassword: "wrong-password-123",
        newPassword: "granite-meadow-compass-77",
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
