/**
 * Issue 18: the sanctions list refreshed from URLs (conditional GET, a truncated download refused), every
 * instance following the stored version, customers rescreened against what a new version adds, and the case a
 * hit opens worked to a suspicious-activity report.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { and, desc, eq, gt } from "drizzle-orm";
import type { DatabaseConnection } from "../../db/client";
import {
  auditLog,
  complianceCases,
  kycApplications,
  sanctionsListFetches,
  sanctionsRescreens,
} from "../../db/schema";
import { amlConfig, recordMovement } from "../../server/compliance/aml/monitoring";
import { watchCompliance } from "../../server/compliance/metrics";
import { SANCTIONS_REFRESH_QUEUE, startSanctionsJobs } from "../../server/compliance/sanctions-jobs";
import type { AppDeps } from "../../server/context";
import { createJobs, type Jobs } from "../../server/jobs/jobs";
import { callerFor, startTestServer, type TestServer, testDeps } from "../helpers/app";
import { createTestDatabase } from "../helpers/database";
import { TEST_METRICS_TOKEN } from "../helpers/keys";
import { callerWithKey, LOAN_TEST_OVERRIDES, makeApplicant, makeStaff, newKey } from "../helpers/loans";
import { restClient } from "../helpers/rest";

const fixtures = resolve(import.meta.dir, "../../fixtures/sanctions");
const fixtureSdn = readFileSync(resolve(fixtures, "SDN.CSV"));
// The fixture ends with OFAC's DOS end-of-file byte; a row appended after it must come before it.
const sdnToday = fixtureSdn.at(-1) === 0x1a ? fixtureSdn.subarray(0, -1) : fixtureSdn;
const newEntry = Buffer.from(
  '90014,"FELSWORTH, Zebulon Quarrington","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 01 Jan 1980."\r\n',
);
const NEWCOMER = "Zebulon Quarrington Felsworth";
const LEAKS = [/90014/, /FELSWORTH/i, /SDGT/, /sanction/i, /OFAC/i, /entry/i, /score/i, /list/i];

/** The list publisher: files with ETags, a 304 for a matching If-None-Match, and a truncated answer on demand. */
function startListServer() {
  const files = new Map<string, Buffer>([
    ["/SDN.CSV", sdnToday],
    ["/ALT.CSV", readFileSync(resolve(fixtures, "ALT.CSV"))],
  ]);
  const requests: { path: string; ifNoneMatch: string | null }[] = [];
  const truncated = new Set<string>();
  const etag = (body: Buffer) => `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const path = new URL(request.url).pathname;
      const body = files.get(path);
      if (!body) return new Response("not found", { status: 404 });
      const ifNoneMatch = request.headers.get("if-none-match");
      requests.push({ path, ifNoneMatch });
      const tag = etag(body);
      if (ifNoneMatch === tag) return new Response(null, { status: 304, headers: { etag: tag } });
      // One run ends in the middle of a row, as an interrupted download does.
      const served = truncated.delete(path) ? body.subarray(0, body.indexOf("90010,") + 25) : body;
      return new Response(new Uint8Array(served), {
        headers: { etag: tag, "last-modified": "Mon, 30 Nov 2026 06:00:00 GMT" },
      });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    files,
    requests,
    truncated,
    stop: () => server.stop(true),
  };
}

let list: ReturnType<typeof startListServer>;
let connection: DatabaseConnection;
let deps: AppDeps;
let second: AppDeps;
let jobs: Jobs;
let server: TestServer;
let admin: Awaited<ReturnType<typeof makeStaff>>;
let rest: ReturnType<typeof restClient>;

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}

/** What the cron does, through its queue; resolves with the fetch row the run wrote. */
async function runRefreshJob() {
  const [last] = await deps.db
    .select({ id: sanctionsListFetches.id })
    .from(sanctionsListFetches)
    .orderBy(desc(sanctionsListFetches.id))
    .limit(1);
  await jobs.boss.send(SANCTIONS_REFRESH_QUEUE, {});
  return waitFor("the refresh job", async () => {
    const [row] = await deps.db
      .select()
      .from(sanctionsListFetches)
      .where(and(gt(sanctionsListFetches.id, last?.id ?? 0), eq(sanctionsListFetches.trigger, "cron")));
    return row;
  });
}

async function rescreenDone(id: string) {
  return waitFor("the rescreen", async () => {
    const progress = await rest("GET", `/admin/sanctions/rescreens/${id}`, { token: admin.token });
    return progress.body.done ? progress.body : null;
  });
}

beforeAll(async () => {
  list = startListServer();
  connection = await createTestDatabase();
  const overrides = {
    ...LOAN_TEST_OVERRIDES,
    SANCTIONS_SOURCE_URLS: `${list.url}/SDN.CSV, ${list.url}/ALT.CSV`,
    SANCTIONS_POLL_SECONDS: "1",
    JOBS_POLL_INTERVAL_SECONDS: "0.5",
  };
  deps = await testDeps(overrides, { connection });
  await deps.sanctions.index();
  // A second instance of the same deployment: same database, its own registry.
  second = await testDeps(overrides, { connection });
  jobs = createJobs(connection, deps.config, deps.logger);
  await jobs.start();
  deps.jobs = jobs;
  await startSanctionsJobs({ ...deps, jobs });
  watchCompliance(deps.metrics, deps.db, deps.cases);
  server = await startTestServer(deps);
  rest = restClient(server.url);
  admin = await makeStaff(deps, "admin");
});

afterAll(async () => {
  await server.stop();
  await jobs.stop(1000);
  deps.sanctions.stop();
  second.sanctions.stop();
  list.stop();
  await connection.close();
});

describe("a list fetched from URLs", () => {
  it("is fetched at start and stored as a version with its count, checksum and source", async () => {
    const { status, body } = await rest("GET", "/admin/sanctions", { token: admin.token });
    expect(status).toBe(200);
    expect(body.current).toMatchObject({
      id: 1,
      entryCount: 22,
      source: `${list.url}/SDN.CSV,${list.url}/ALT.CSV`,
    });
    expect(body.current.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(body.fetches[0]).toMatchObject({ trigger: "start", outcome: "updated", versionId: 1 });
    expect(body.instance).toMatchObject({ loaded: true, count: 22, version: 1 });
  });

  it("sends the validators on the next run and keeps the version on 304", async () => {
    list.requests.length = 0;
    expect(await runRefreshJob()).toMatchObject({ outcome: "not_modified", versionId: 1 });
    expect(list.requests.map((request) => request.ifNoneMatch)).toEqual([
      expect.stringMatching(/^"[0-9a-f]{16}"$/),
      expect.stringMatching(/^"[0-9a-f]{16}"$/),
    ]);
  });

  it("refuses a truncated download: the list in use stays, and the failure is an audited alert", async () => {
    list.files.set("/SDN.CSV", Buffer.concat([sdnToday, newEntry]));
    list.truncated.add("/SDN.CSV");
    const failed = await runRefreshJob();
    expect(failed).toMatchObject({ outcome: "failed", versionId: null });
    expect(failed.error).toContain("truncated or malformed");
    expect(await deps.sanctions.status()).toMatchObject({ loaded: true, count: 22, version: 1 });
    const alerts = await deps.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "sanctions.refresh_failed"));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.details).toMatchObject({ trigger: "cron" });
    const overview = await rest("GET", "/admin/sanctions", { token: admin.token });
    expect(overview.body.fetches[0]).toMatchObject({ outcome: "failed" });
    const metrics = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    expect(await metrics.text()).toContain("blockscore_sanctions_refresh_failed 1");
  });
});

describe("a customer verified yesterday, caught by today's list", () => {
  let customer: Awaited<ReturnType<typeof makeApplicant>>;
  let loanId: string;
  let caseId: string;

  beforeAll(async () => {
    list.files.set("/SDN.CSV", sdnToday);
    customer = await makeApplicant(deps, { kyc: false });
    const kyc = await customer.caller.compliance.submitKyc({
      legalName: NEWCOMER,
      dateOfBirth: "1980-01-01",
      country: "DE",
      address: "Lindenstraße 12, 10969 Berlin",
      documentType: "passport",
      documentNumber: "C01X00T47",
    });
    expect(kyc.status).toBe("verified");
    const yesterday = new Date(Date.now() - 86_400_000);
    await deps.db
      .update(kycApplications)
      .set({ submittedAt: yesterday, decidedAt: yesterday })
      .where(eq(kycApplications.userId, customer.user.id));
    const loan = await (await callerWithKey(deps, customer.token, newKey())).loans.submit({
      amount: "5000.00",
      termMonths: 12,
      purpose: "Home improvement",
    });
    loanId = loan.id;
    await (await makeStaff(deps)).caller.loans.approve({ id: loanId, reason: "Stable income" });
  });

  it("is screened against the new entry, moved to review, frozen and given a case", async () => {
    list.files.set("/SDN.CSV", Buffer.concat([sdnToday, newEntry]));
    expect(await runRefreshJob()).toMatchObject({ outcome: "updated", versionId: 2 });
    const overview = await rest("GET", "/admin/sanctions", { token: admin.token });
    expect(overview.body.current).toMatchObject({ id: 2, entryCount: 23, added: 1, changed: 0, removed: 0 });
    expect(overview.body.versions.map((version: { id: number }) => version.id)).toEqual([2, 1]);

    const [rescreen] = await deps.db
      .select()
      .from(sanctionsRescreens)
      .where(eq(sanctionsRescreens.versionId, 2));
    expect(rescreen).toMatchObject({ scope: "changes", entryIds: [90014] });
    const progress = await rescreenDone(rescreen?.id as string);
    expect(progress).toMatchObject({ status: "done", hits: 1, screened: 1, entries: 1 });

    const [application] = await deps.db
      .select()
      .from(kycApplications)
      .where(eq(kycApplications.userId, customer.user.id));
    expect(application?.status).toBe("review");
    expect(application?.checks[3]).toMatchObject({ result: "review", listVersion: 2 });
    expect(application?.checks[3]?.matches?.[0]).toMatchObject({ entryId: 90014, screenedName: NEWCOMER });

    const cases = await rest("GET", `/admin/cases?status=open`, { token: admin.token });
    const opened = cases.body.items.find((item: { userId: string }) => item.userId === customer.user.id);
    expect(opened).toMatchObject({ kind: "sanctions", status: "open", overdue: false, assigneeId: null });
    caseId = opened.id;
    const detail = await rest("GET", `/admin/cases/${caseId}`, { token: admin.token });
    expect(detail.body.sanctionsHits).toEqual([
      expect.objectContaining({ entryId: 90014, versionId: 2, screenedName: NEWCOMER }),
    ]);
  });

  it("freezes new applications and the disbursement, and never tells the customer why", async () => {
    const disburser = await makeStaff(deps);
    await expect(disburser.caller.loans.disburse({ id: loanId })).rejects.toMatchObject({
      cause: { code: "COMPLIANCE_HOLD" },
    });
    const again = await rest("POST", "/loans/apply", {
      token: customer.token,
      headers: { "idempotency-key": newKey() },
      body: { amount: "1000.00", termMonths: 12, purpose: "Car" },
    });
    // The customer already sees "under review" for their identity; the refusal says no more than that.
    expect(again).toMatchObject({ status: 422, body: { code: "KYC_NOT_VERIFIED" } });
    const view = await rest("GET", "/compliance/kyc", { token: customer.token });
    expect(view.body).toMatchObject({ status: "review", checks: [] });
    for (const answer of [again, view]) {
      for (const leak of LEAKS) expect(JSON.stringify(answer.body)).not.toMatch(leak);
    }
  });

  it("reaches every instance within a poll, and a reload reloads every instance", async () => {
    await waitFor("the second instance", async () => (await second.sanctions.current())?.version === 2);
    const before = (await second.sanctions.status()) as { loadedAt: Date };
    const reloaded = await rest("POST", "/admin/sanctions/reload", { token: admin.token });
    expect(reloaded).toMatchObject({ status: 200, body: { count: 23, version: 2 } });
    await waitFor("the second instance to reload", async () => {
      const status = (await second.sanctions.status()) as { loadedAt: Date };
      return status.loadedAt.getTime() > before.loadedAt.getTime();
    });
  });

  it("is worked to a report: taken, noted, reported, with the SAR draft as JSON and PDF, every step audited", async () => {
    const other = await makeStaff(deps, "admin");
    const early = await rest("POST", `/admin/cases/${caseId}/report`, { token: admin.token, body: {} });
    expect(early).toMatchObject({ status: 409, body: { code: "CASE_NOT_TAKEN" } });
    const taken = await rest("POST", `/admin/cases/${caseId}/take`, { token: admin.token });
    expect(taken.body).toMatchObject({ status: "investigating", assigneeId: admin.user.id });
    const noted = await rest("POST", `/admin/cases/${caseId}/notes`, {
      token: other.token,
      body: { body: "Name and year of birth agree with entry 90014; onboarding predates the listing." },
    });
    expect(noted.body.notes).toHaveLength(1);
    const notMine = await rest("POST", `/admin/cases/${caseId}/close`, {
      token: other.token,
      body: { reason: "x" },
    });
    expect(notMine).toMatchObject({ status: 409, body: { code: "CASE_NOT_TAKEN" } });
    const reported = await rest("POST", `/admin/cases/${caseId}/report`, {
      token: admin.token,
      body: { note: "Funds of 5000.00 approved before the listing; payout held." },
    });
    expect(reported.body).toMatchObject({ status: "reported", reportAvailable: true });

    const sar = await rest("GET", `/admin/cases/${caseId}/report`, { token: admin.token });
    expect(sar.status).toBe(200);
    expect(sar.body.subject).toMatchObject({
      userId: customer.user.id,
      legalName: NEWCOMER,
      dateOfBirth: "1980-01-01",
    });
    expect(sar.body.rulesFired).toEqual([expect.objectContaining({ rule: "sanctions_match" })]);
    expect(sar.body.sanctionsMatches).toEqual([expect.objectContaining({ entryId: 90014 })]);
    expect(sar.body.narrative).toContain("onboarding predates the listing");
    expect(sar.body.narrative).toContain("payout held");

    const pdf = await fetch(`${server.url}/api/admin/cases/${caseId}/report?format=pdf`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const bytes = new Uint8Array(await pdf.arrayBuffer());
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
    if (Bun.which("pdftotext")) {
      const text = Bun.spawnSync(["pdftotext", "-", "-"], { stdin: bytes }).stdout.toString();
      expect(text).toContain("Suspicious Activity Report");
      expect(text).toContain(NEWCOMER);
      expect(text).toContain("sanctions_match");
      expect(text).toContain("payout held");
    } else {
      console.warn("pdftotext (poppler-utils) is not installed: the PDF's text is not checked");
    }

    const steps = await deps.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.subjectId, caseId))
      .orderBy(auditLog.seq);
    expect(steps.map((step) => step.action)).toEqual([
      "case.opened",
      "case.taken",
      "case.note_added",
      "case.reported",
    ]);
    const closed = await rest("POST", `/admin/cases/${caseId}/close`, {
      token: admin.token,
      body: { reason: "x" },
    });
    expect(closed).toMatchObject({ status: 409, body: { code: "CASE_DECIDED" } });
  });

  it("a full rescreen by an admin screens every verified or in-review customer and finds nothing new", async () => {
    const started = await rest("POST", "/admin/sanctions/rescreens", { token: admin.token });
    expect(started).toMatchObject({ status: 200, body: { scope: "full", versionId: 2, done: false } });
    const customers = await deps.db.select().from(kycApplications);
    const active = customers.filter((row) => row.status === "verified" || row.status === "review").length;
    expect(await rescreenDone(started.body.id)).toMatchObject({ screened: active, hits: 0 });
  });
});

describe("AML alerts become cases", () => {
  it("opens a case for the alert, flags it overdue past CASE_SLA_DAYS (list and /metrics), and closes it with a reason", async () => {
    const subject = await makeApplicant(deps);
    const system = { actorId: null, ip: null, requestId: "test:aml" };
    const { alerts } = await recordMovement(deps.db, system, amlConfig(deps.config), {
      userId: subject.user.id,
      kind: "repayment",
      direction: "out",
      amountCents: 1_500_000,
    });
    expect(alerts.length).toBeGreaterThan(0);
    const [row] = await deps.db
      .select()
      .from(complianceCases)
      .where(eq(complianceCases.userId, subject.user.id));
    expect(row?.kind).toBe("aml");
    const id = row?.id as string;
    await deps.db
      .update(complianceCases)
      .set({ openedAt: new Date(Date.now() - 31 * 86_400_000) })
      .where(eq(complianceCases.id, id));

    const overdue = await rest("GET", "/admin/cases?overdue=true&minAgeDays=30", { token: admin.token });
    expect(overdue.body.items).toEqual([expect.objectContaining({ id, overdue: true, ageDays: 31 })]);
    const detail = await rest("GET", `/admin/cases/${id}`, { token: admin.token });
    expect(detail.body.alerts.map((alert: { id: string }) => alert.id)).toEqual(
      alerts.map((alert) => alert.id),
    );
    expect(detail.body.movements).toEqual([
      expect.objectContaining({ amount: "15000.00", kind: "repayment" }),
    ]);
    const metrics = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    expect(await metrics.text()).toContain("blockscore_compliance_cases_overdue 1");

    await rest("POST", `/admin/cases/${id}/take`, { token: admin.token });
    const closed = await rest("POST", `/admin/cases/${id}/close`, {
      token: admin.token,
      body: { reason: "Lump-sum payoff from a documented house sale" },
    });
    expect(closed.body).toMatchObject({
      status: "closed",
      overdue: false,
      closeReason: expect.stringContaining("house sale"),
    });
    const report = await rest("GET", `/admin/cases/${id}/report`, { token: admin.token });
    expect(report).toMatchObject({ status: 409, body: { code: "CASE_NOT_REPORTED" } });
    const mine = await rest("GET", `/admin/cases?assigneeId=${admin.user.id}&status=closed`, {
      token: admin.token,
    });
    expect(mine.body.items.map((item: { id: string }) => item.id)).toContain(id);
  });
});

describe("access and input", () => {
  const id = "00000000-0000-4000-8000-000000000000";
  const routes: [string, string, unknown?][] = [
    ["GET", "/admin/sanctions"],
    ["POST", "/admin/sanctions/rescreens"],
    ["GET", `/admin/sanctions/rescreens/${id}`],
    ["GET", "/admin/cases"],
    ["GET", `/admin/cases/${id}`],
    ["POST", `/admin/cases/${id}/take`],
    ["POST", `/admin/cases/${id}/notes`, { body: "x" }],
    ["POST", `/admin/cases/${id}/close`, { reason: "x" }],
    ["POST", `/admin/cases/${id}/report`, {}],
    ["GET", `/admin/cases/${id}/report`],
    ["GET", `/admin/cases/${id}/report?format=pdf`],
  ];

  it("every route refuses a plain user (403), an underwriter (403) and an anonymous caller (401)", async () => {
    const plain = await makeApplicant(deps, { kyc: false, scoredAt: false });
    const underwriter = await makeStaff(deps);
    for (const [method, path, body] of routes) {
      for (const [token, expected] of [
        [plain.token, 403],
        [underwriter.token, 403],
        [undefined, 401],
      ] as const) {
        expect({ path, status: (await rest(method, path, { token, body })).status }).toEqual({
          path,
          status: expected,
        });
      }
    }
  });

  it("answers bad input with 400 and an unknown id with 404", async () => {
    const token = admin.token;
    expect((await rest("GET", "/admin/cases/not-a-case", { token })).status).toBe(400);
    expect((await rest("GET", "/admin/cases?status=pending", { token })).status).toBe(400);
    expect((await rest("GET", `/admin/cases/${id}/report?format=xml`, { token })).status).toBe(400);
    expect((await rest("POST", `/admin/cases/${id}/close`, { token, body: { reason: " " } })).status).toBe(
      400,
    );
    expect((await rest("GET", `/admin/cases/${id}`, { token })).status).toBe(404);
    expect((await rest("GET", `/admin/sanctions/rescreens/${id}`, { token })).status).toBe(404);
  });

  it("a member of staff cannot work a case about themselves", async () => {
    const [row] = await deps.db
      .insert(complianceCases)
      .values({ userId: admin.user.id, kind: "aml" })
      .returning();
    const own = await rest("POST", `/admin/cases/${row?.id}/take`, { token: admin.token });
    expect(own.status).toBe(403);
    const caller = await callerFor(deps, { token: admin.token });
    await expect(caller.cases.note({ id: row?.id as string, body: "mine" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});
