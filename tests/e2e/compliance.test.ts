import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import { users } from "../../db/schema";
import { amlConfig, recordMovement } from "../../server/compliance/aml/monitoring";
import type { AppDeps } from "../../server/context";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { TEST_METRICS_TOKEN } from "../helpers/keys";
import { restClient } from "../helpers/rest";
import { TEST_PASSWORD, uniqueEmail } from "../helpers/users";

let deps: AppDeps;
let server: TestServer;
let admin: { token: string; id: string };

function rest(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  return restClient(server.url)(method, path, options);
}

async function signUp(name = "Applicant") {
  const { status, body } = await rest("POST", "/auth/register", {
    body: { email: uniqueEmail("kyc"), password: TEST_PASSWORD, name },
  });
  expect(status).toBe(200);
  return { token: body.token as string, id: body.user.id as string };
}

const application = (overrides: Record<string, unknown> = {}) => ({
  legalName: "Maria Gonzalez",
  dateOfBirth: "1988-05-17",
  country: "de",
  address: "Lindenstraße 12, 10969 Berlin",
  documentType: "passport",
  documentNumber: "C01X00T47",
  ...overrides,
});

beforeAll(async () => {
  deps = await testDeps({ RATE_LIMIT_REGISTER_IP: "10000/3600" });
  server = await startTestServer(deps);
  admin = await signUp("Officer");
  await deps.db.update(users).set({ role: "admin" }).where(eq(users.id, admin.id));
});
afterAll(() => server.stop());

describe("KYC over REST", () => {
  it("verifies a clean applicant, shows the status, and answers a resubmission with 409", async () => {
    const { token } = await signUp();
    expect((await rest("GET", "/compliance/kyc", { token })).body).toMatchObject({
      status: "not_submitted",
      canSubmit: true,
    });
    const submitted = await rest("POST", "/compliance/kyc", { token, body: application() });
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe("verified");
    expect(submitted.body.checks).toHaveLength(4);
    const view = await rest("GET", "/compliance/kyc", { token });
    expect(view.body).toMatchObject({ status: "verified", canSubmit: false, missing: [] });
    expect(Date.parse(view.body.decidedAt)).toBeGreaterThan(0);
    const again = await rest("POST", "/compliance/kyc", { token, body: application() });
    expect(again).toMatchObject({ status: 409, body: { code: "KYC_ALREADY_VERIFIED" } });
  });

  it("rejects under 18 with the reason, and answers malformed input with 400", async () => {
    const { token } = await signUp();
    const young = await rest("POST", "/compliance/kyc", {
      token,
      body: application({ dateOfBirth: `${new Date().getUTCFullYear() - 16}-06-01` }),
    });
    expect(young.body.status).toBe("rejected");
    expect(young.body.checks[0]).toMatchObject({
      name: "age",
      result: "fail",
      detail: "Applicant must be at least 18 years old",
    });

    const other = await signUp();
    const badCountry = await rest("POST", "/compliance/kyc", {
      token: other.token,
      body: application({ country: "Germany" }),
    });
    expect(badCountry.status).toBe(400);
    expect(JSON.stringify(badCountry.body)).toContain("ISO 3166-1 alpha-2");
    const missing = await rest("POST", "/compliance/kyc", {
      token: other.token,
      body: { legalName: "Maria Gonzalez" },
    });
    expect(missing.status).toBe(400);
    const empty = await rest("POST", "/compliance/kyc", { token: other.token });
    expect(empty.status).toBe(400);
    expect((await rest("GET", "/compliance/kyc", { token: other.token })).body.status).toBe("not_submitted");
  });

  it("needs a session", async () => {
    expect((await rest("POST", "/compliance/kyc", { body: application() })).status).toBe(401);
    expect((await rest("GET", "/compliance/kyc")).status).toBe(401);
  });

  it("sends a listed name to review, and an admin verifies it; the decision is in the audit log", async () => {
    const applicant = await signUp();
    const submitted = await rest("POST", "/compliance/kyc", {
      token: applicant.token,
      body: application({ legalName: "Juergen Mueller-Zweigstein" }),
    });
    expect(submitted.body.status).toBe("review");

    const queue = await rest("GET", `/admin/kyc?status=review&userId=${applicant.id}`, {
      token: admin.token,
    });
    expect(queue.status).toBe(200);
    const [item] = queue.body.items;
    expect(item.checks[3].detail).toContain('entry 90010 "MÜLLER-ZWEIGSTEIN, Jürgen Otto"');
    expect(item.checks[3].detail).toContain("program RUSSIA-EO14024");
    expect(item.checks[3].matches[0]).toMatchObject({ entryId: 90010, matchedAlias: true });

    const decided = await rest("POST", `/admin/kyc/${applicant.id}/decision`, {
      token: admin.token,
      body: { decision: "verified", reason: "Born 1992 in Graz; the listed entry was born 1970" },
    });
    expect(decided).toMatchObject({
      status: 200,
      body: { application: { status: "verified", decidedBy: admin.id } },
    });
    const audit = await rest("GET", `/admin/audit?action=kyc.decision&userId=${admin.id}`, {
      token: admin.token,
    });
    expect(audit.body.items[0]).toMatchObject({
      action: "kyc.decision",
      details: { userId: applicant.id, to: "verified" },
    });
    expect((await rest("GET", "/compliance/kyc", { token: applicant.token })).body.status).toBe("verified");

    const bad = await rest("POST", `/admin/kyc/${applicant.id}/decision`, {
      token: admin.token,
      body: { decision: "maybe", reason: "x" },
    });
    expect(bad.status).toBe(400);
  });
});

describe("AML alerts over REST", () => {
  it("lists an alert raised by a movement, closes it with a disposition, and the risk level follows", async () => {
    const customer = await signUp();
    await deps.db.transaction((tx) =>
      recordMovement(tx, { actorId: customer.id, ip: null, requestId: "e2e" }, amlConfig(deps.config), {
        userId: customer.id,
        kind: "disbursement",
        direction: "out",
        amountCents: 1_250_000,
        reference: "loan-e2e-1",
      }),
    );
    const open = await rest("GET", `/admin/alerts?status=open&userId=${customer.id}`, { token: admin.token });
    expect(open.status).toBe(200);
    const [alert] = open.body.items;
    expect(alert).toMatchObject({
      rule: "large_amount",
      status: "open",
      evidence: { amounts: ["12500.00"] },
    });
    expect(
      (await rest("GET", `/admin/compliance/users/${customer.id}`, { token: admin.token })).body,
    ).toMatchObject({
      kycStatus: "not_submitted",
      risk: { level: "medium", openAlerts: 1 },
    });

    const closed = await rest("POST", `/admin/alerts/${alert.id}/close`, {
      token: admin.token,
      body: { disposition: "reported", note: "CTR filed" },
    });
    expect(closed).toMatchObject({
      status: 200,
      body: { alert: { status: "closed", disposition: "reported" } },
    });
    expect(
      (await rest("GET", `/admin/compliance/users/${customer.id}`, { token: admin.token })).body.risk.level,
    ).toBe("low");
    const badDisposition = await rest("POST", `/admin/alerts/${alert.id}/close`, {
      token: admin.token,
      body: { disposition: "ignored", note: "x" },
    });
    expect(badDisposition.status).toBe(400);
  });
});

describe("sanctions list over REST", () => {
  it("reloads with a bare POST and health reports the count and load time", async () => {
    const reloaded = await rest("POST", "/admin/sanctions/reload", { token: admin.token });
    expect(reloaded).toMatchObject({ status: 200, body: { count: 22, skippedRows: 0 } });
    const health = await rest("GET", "/health", { token: TEST_METRICS_TOKEN });
    expect(Object.keys(health.body.checks).sort()).toEqual(["blockchain", "database", "model", "redis"]);
    expect(health.body.sanctions).toEqual({
      status: "ok",
      info: { entries: 22, loadedAt: reloaded.body.loadedAt },
    });
  });
});

describe("compliance admin routes over HTTP", () => {
  const id = "00000000-0000-4000-8000-000000000000";
  const routes: [string, string, unknown?][] = [
    ["GET", "/admin/kyc?status=review"],
    ["POST", `/admin/kyc/${id}/decision`, { decision: "verified", reason: "x" }],
    ["GET", "/admin/alerts?status=open"],
    ["POST", `/admin/alerts/${id}/close`, { disposition: "false_positive", note: "x" }],
    ["GET", `/admin/compliance/users/${id}`],
    ["POST", "/admin/sanctions/reload"],
  ];

  it("refuse a plain user (403) and an anonymous caller (401)", async () => {
    const plain = await signUp();
    for (const [method, path, body] of routes) {
      expect({ path, status: (await rest(method, path, { token: plain.token, body })).status }).toEqual({
        path,
        status: 403,
      });
      expect({ path, status: (await rest(method, path, { body })).status }).toEqual({ path, status: 401 });
    }
  });

  it("are in the OpenAPI document with their security", async () => {
    const { body } = await rest("GET", "/openapi.json");
    expect(body.paths["/compliance/kyc"].post.security).toBeDefined();
    expect(body.paths["/admin/kyc/{userId}/decision"].post).toBeDefined();
    expect(body.paths["/admin/alerts/{id}/close"].post).toBeDefined();
    expect(body.paths["/admin/sanctions/reload"].post.security).toBeDefined();
  });
});
