import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq, sql } from "drizzle-orm";
import type { DatabaseConnection } from "../../../db/client";
import { users } from "../../../db/schema";
import { startTestServer, type TestServer, testDeps } from "../../helpers/app";
import { createTestDatabase } from "../../helpers/database";
import { capturingLogger } from "../../helpers/logs";
import { restClient } from "../../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../../helpers/users";

let connection: DatabaseConnection;
let server: TestServer;
let rest: ReturnType<typeof restClient>;
let admin: string;
const logs = capturingLogger();

beforeAll(async () => {
  // A database of its own: one test adds a constraint to make the database refuse a write.
  connection = await createTestDatabase();
  const deps = await testDeps({}, { connection });
  deps.logger = logs.logger;
  server = await startTestServer(deps);
  rest = restClient(server.url);
  const { body } = await rest("POST", "/auth/register", {
    body: { email: uniqueEmail("crafted"), password: TEST_PASSWORD, name: "Crafted" },
  });
  await connection.db.update(users).set({ role: "admin" }).where(eq(users.id, body.user.id));
  admin = body.token;
});
afterAll(async () => {
  await server.stop();
  await connection.close();
});

const keysetCursor = (time: string) =>
  Buffer.from(`${time}|00000000-0000-4000-8000-000000000000`).toString("base64url");

describe("crafted cursors and filters", () => {
  it("answers numeric cursors the bigint column cannot hold with 400, naming the field", async () => {
    for (const path of ["/admin/audit", "/admin/kyc", "/admin/alerts", "/chain/transactions"]) {
      for (const cursor of ["1e30", "9223372036854775808", "-1", "1.5", "abc"]) {
        const answer = await rest("GET", `${path}?cursor=${cursor}`, { token: admin });
        expect(answer.status).toBe(400);
        expect(answer.body.issues[0].path).toEqual(["cursor"]);
      }
    }
  });

  it("answers keyset cursors holding a time Postgres cannot read with 400 INVALID_CURSOR", async () => {
    for (const time of [
      "-000001-01-01T00:00:00.000Z",
      "+275760-09-13T00:00:00.000Z",
      "0000-01-01T00:00:00.000Z",
    ]) {
      for (const path of ["/loans", "/credit/history"]) {
        const answer = await rest("GET", `${path}?cursor=${keysetCursor(time)}`, { token: admin });
        expect(answer).toMatchObject({ status: 400, body: { code: "INVALID_CURSOR" } });
      }
    }
  });

  it("answers a time filter outside 1970–9999 with 400", async () => {
    for (const from of ["%2B275760-09-13", "-000001-01-01", "1969-12-31"]) {
      const answer = await rest("GET", `/admin/audit?from=${from}`, { token: admin });
      expect(answer.status).toBe(400);
      expect(answer.body.issues[0].path).toEqual(["from"]);
    }
    expect((await rest("GET", "/admin/audit?from=2026-01-01", { token: admin })).status).toBe(200);
  });
});

describe("database errors in the log", () => {
  it("keep the SQL state and the constraint name, and never the query, its parameters or row values", async () => {
    const { body } = await rest("POST", "/auth/register", {
      body: { email: uniqueEmail("logged"), password: TEST_PASSWORD, name: "Logged" },
    });
    await connection.db.execute(
      sql`alter table financial_profiles add constraint test_income_cap check (annual_income_cents < 100)`,
    );
    try {
      const answer = await rest("PATCH", "/profile", {
        token: body.token,
        body: { annualIncome: "987654.32" },
      });
      expect(answer.status).toBe(500);
      expect(JSON.stringify(answer.body)).not.toContain("98765432");
    } finally {
      await connection.db.execute(sql`alter table financial_profiles drop constraint test_income_cap`);
    }
    const failure = logs.records().find((record) => record.msg === "procedure failed");
    expect(failure?.err).toMatchObject({ sqlState: "23514", constraint: "test_income_cap" });
    const everything = logs.lines.join("\n");
    expect(everything).not.toContain("98765432");
    expect(everything).not.toContain(body.user.id);
    expect(everything.toLowerCase()).not.toContain('update \\"financial_profiles\\"');
    expect(everything).not.toContain("params");
  });
});
