import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { desc, eq, sql } from "drizzle-orm";
import type { DatabaseConnection } from "../../../db/client";
import { auditLog, users } from "../../../db/schema";
import { checkpointAuditHead } from "../../../server/audit/checkpoint";
import { startTestServer, type TestServer, testDeps } from "../../helpers/app";
import { createTestDatabase } from "../../helpers/database";
import { capturingLogger } from "../../helpers/logs";
import { restClient } from "../../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../../helpers/users";

// A database of its own: these tests cut the log.
let connection: DatabaseConnection;
let server: TestServer;
let rest: ReturnType<typeof restClient>;
let adminToken: string;
const log = capturingLogger();

beforeAll(async () => {
  connection = await createTestDatabase();
  server = await startTestServer(await testDeps({}, { connection }));
  rest = restClient(server.url);
  const email = uniqueEmail("auditor");
  const { body } = await rest("POST", "/auth/register", {
    body: { email, password: TEST_PASSWORD, name: "Auditor" },
  });
  await connection.db.update(users).set({ role: "admin" }).where(eq(users.id, body.user.id));
  adminToken = body.token;
});
afterAll(async () => {
  await server.stop();
  await connection.close();
});

/** Some audited activity: a registration and two logins. */
async function activity() {
  const email = uniqueEmail("busy");
  await rest("POST", "/auth/register", { body: { email, password: TEST_PASSWORD, name: "Busy" } });
  await rest("POST", "/auth/login", { body: { email, password: TEST_PASSWORD } });
  await rest("POST", "/auth/login", { body: { email, password: TEST_PASSWORD } });
}

const checkpoint = () =>
  checkpointAuditHead(connection.db, { outbox: {}, logger: log.logger, intervalMs: 0 });
const verify = () => rest("POST", "/admin/audit/verify", { token: adminToken });

/** As someone with direct database access would: with the append-only triggers switched off. */
async function asDatabaseOwner(statement: ReturnType<typeof sql>) {
  await connection.db.execute(sql`alter table audit_log disable trigger user`);
  await connection.db.execute(sql`alter table audit_checkpoints disable trigger user`);
  try {
    await connection.db.execute(statement);
  } finally {
    await connection.db.execute(sql`alter table audit_log enable trigger user`);
    await connection.db.execute(sql`alter table audit_checkpoints enable trigger user`);
  }
}

describe("the audit tail", () => {
  it("checkpoints the head into its table and the log output, and verifies against it", async () => {
    await activity();
    const made = await checkpoint();
    const [head] = await connection.db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(1);
    expect(made).toMatchObject({ seq: head?.seq, hash: head?.hash });
    const line = log.records().find((record) => record.msg === "audit checkpoint");
    expect(line?.auditCheckpoint).toMatchObject({ seq: head?.seq, hash: head?.hash });
    expect(await checkpoint()).toBeNull(); // the head has not moved: nothing new to write
    const verified = await verify();
    expect(verified.body).toMatchObject({
      ok: true,
      truncated: false,
      missing: null,
      lastCheckpoint: { seq: head?.seq, hash: head?.hash, source: "database" },
      chainCheckpoint: "not_configured",
    });
  });

  it("refuses TRUNCATE on the log and on its checkpoints", async () => {
    await expect((async () => connection.db.execute(sql`truncate audit_log`))()).rejects.toThrow();
    await expect((async () => connection.db.execute(sql`truncate audit_checkpoints`))()).rejects.toThrow();
    await expect((async () => connection.db.execute(sql`delete from audit_checkpoints`))()).rejects.toThrow();
  });

  it("reports truncated: true with the missing range when the newest rows were cut, even after the log grew again", async () => {
    await activity();
    const cp = await checkpoint();
    if (!cp) throw new Error("expected a checkpoint");
    const [survivor] = await connection.db
      .select({ seq: auditLog.seq })
      .from(auditLog)
      .where(sql`${auditLog.seq} < ${cp.seq - 2}`)
      .orderBy(desc(auditLog.seq))
      .limit(1);
    if (!survivor) throw new Error("expected older entries");
    // Cut everything after the survivor: the links that remain are intact.
    await asDatabaseOwner(sql`delete from audit_log where seq > ${survivor.seq}`);
    const cut = await verify();
    expect(cut.body).toMatchObject({
      ok: false,
      firstBroken: null,
      truncated: true,
      missing: { fromSeq: survivor.seq + 1, toSeq: cp.seq },
    });
    // New entries chain onto the survivor and link cleanly; the checkpoint still shows the cut.
    await activity();
    const regrown = await verify();
    expect(regrown.body).toMatchObject({ ok: false, truncated: true, missing: { toSeq: cp.seq } });
  });
});
