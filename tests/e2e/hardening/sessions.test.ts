import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { sessions } from "../../../db/schema";
import { startTestServer, type TestServer, testDeps } from "../../helpers/app";
import { restClient } from "../../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../../helpers/users";

const DAY = 86_400_000;
let db: Database;
let server: TestServer;
let rest: ReturnType<typeof restClient>;

beforeAll(async () => {
  const deps = await testDeps({ SESSION_MAX_PER_USER: "3" });
  db = deps.db;
  server = await startTestServer(deps);
  rest = restClient(server.url);
});
afterAll(() => server.stop());

async function signUp() {
  const email = uniqueEmail("sessions");
  const { body } = await rest("POST", "/auth/register", {
    body: { email, password: TEST_PASSWORD, name: "S" },
  });
  return { email, token: body.token as string };
}

const login = async (email: string) =>
  (await rest("POST", "/auth/login", { body: { email, password: TEST_PASSWORD } })).body.token as string;

describe("session limits", () => {
  it("keeps at most SESSION_MAX_PER_USER sessions: a new login ends the oldest", async () => {
    const { email, token: first } = await signUp();
    const second = await login(email);
    const third = await login(email);
    expect((await rest("GET", "/profile", { token: first })).status).toBe(200);
    const fourth = await login(email);
    expect((await rest("GET", "/profile", { token: first })).status).toBe(401);
    for (const token of [second, third, fourth])
      expect((await rest("GET", "/profile", { token })).status).toBe(200);
    expect((await rest("GET", "/auth/sessions", { token: fourth })).body.sessions).toHaveLength(3);
  });

  it("ends a session SESSION_MAX_DAYS after it began, however often it was used", async () => {
    const { token } = await signUp();
    const id = token.split(".")[0] ?? "";
    // 91 days on, used every day: the sliding end is still ahead, the absolute one has passed.
    await db
      .update(sessions)
      .set({ createdAt: new Date(Date.now() - 91 * DAY), expiresAt: new Date(Date.now() + 20 * DAY) })
      .where(eq(sessions.id, id));
    expect((await rest("GET", "/profile", { token })).status).toBe(401);
    expect(await db.select().from(sessions).where(eq(sessions.id, id))).toHaveLength(0);
  });

  it("slides a used session only up to its absolute end", async () => {
    const { token } = await signUp();
    const id = token.split(".")[0] ?? "";
    const began = new Date(Date.now() - 85 * DAY);
    await db
      .update(sessions)
      .set({ createdAt: began, expiresAt: new Date(Date.now() + DAY) })
      .where(eq(sessions.id, id));
    expect((await rest("GET", "/profile", { token })).status).toBe(200);
    const [row] = await db
      .select({ expiresAt: sessions.expiresAt, createdAt: sessions.createdAt })
      .from(sessions)
      .where(eq(sessions.id, id));
    expect(row?.expiresAt.getTime()).toBe(began.getTime() + 90 * DAY);
  });
});
