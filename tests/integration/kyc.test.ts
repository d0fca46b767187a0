import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { inferProcedureInput } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { auditLog, kycApplications, users } from "../../db/schema";
import type { AppRouter } from "../../routers";
import { kycStatusOf } from "../../server/compliance/kyc-queries";
import type { AppDeps } from "../../server/context";
import { checkHealth } from "../../server/health";
import { callerFor, testDeps } from "../helpers/app";
import { createTestDatabase } from "../helpers/database";
import { registerTestUser } from "../helpers/users";

type KycInput = inferProcedureInput<AppRouter["compliance"]["submitKyc"]>;

const fixtures = resolve(import.meta.dir, "../../fixtures/sanctions");
// Registration is limited per IP, and every test caller shares one.
const manyRegistrations = { RATE_LIMIT_REGISTER_IP: "10000/3600" };

let deps: AppDeps;
let admin: Awaited<ReturnType<typeof registerAdmin>>;

async function registerAdmin(on: AppDeps) {
  const registered = await registerTestUser(on, "Compliance Officer");
  await on.db.update(users).set({ role: "admin" }).where(eq(users.id, registered.user.id));
  return { ...registered, caller: await callerFor(on, { token: registered.token }) };
}

function application(overrides: Partial<KycInput> = {}): KycInput {
  return {
    legalName: "Maria Gonzalez",
    dateOfBirth: "1988-05-17",
    country: "DE",
    address: "Lindenstraße 12, 10969 Berlin",
    documentType: "passport",
    documentNumber: "C01X00T47",
    ...overrides,
  };
}

const auditFor = (action: string, subjectId: string) =>
  deps.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.subjectId, subjectId)));

const applicationsOf = (userId: string) =>
  deps.db
    .select()
    .from(kycApplications)
    .where(eq(kycApplications.userId, userId))
    .orderBy(kycApplications.seq);

beforeAll(async () => {
  deps = await testDeps(manyRegistrations);
  admin = await registerAdmin(deps);
});

describe("KYC submission", () => {
  it("shows not_submitted and what is missing before anything is sent", async () => {
    const { caller, user } = await registerTestUser(deps);
    const view = await caller.compliance.kyc();
    expect(view).toMatchObject({ status: "not_submitted", canSubmit: true, checks: [], submittedAt: null });
    expect(view.missing[0]).toContain("legal name, date of birth, country, address");
    expect(await kycStatusOf(deps.db, user.id)).toBe("not_submitted");
  });

  it("verifies a clean applicant at once, and refuses a second submission with 409", async () => {
    const { caller, user } = await registerTestUser(deps);
    const result = await caller.compliance.submitKyc(application());
    expect(result).toMatchObject({ status: "verified", message: "Your identity is verified" });
    expect(result.checks?.map((check) => [check.name, check.result])).toEqual([
      ["age", "pass"],
      ["document_number", "pass"],
      ["country", "pass"],
      ["sanctions", "pass"],
    ]);
    expect(await kycStatusOf(deps.db, user.id)).toBe("verified");
    const view = await caller.compliance.kyc();
    expect(view).toMatchObject({ status: "verified", canSubmit: false, missing: [] });
    expect(view.decidedAt).toBeInstanceOf(Date);
    await expect(caller.compliance.submitKyc(application())).rejects.toMatchObject({
      code: "CONFLICT",
      cause: { code: "KYC_ALREADY_VERIFIED" },
    });
  });

  it("lets only one of two simultaneous submissions through", async () => {
    const { caller, user } = await registerTestUser(deps);
    const results = await Promise.allSettled([
      caller.compliance.submitKyc(application()),
      caller.compliance.submitKyc(application()),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(results.find((result) => result.status === "rejected")).toMatchObject({
      reason: { code: "CONFLICT" },
    });
    expect(await applicationsOf(user.id)).toHaveLength(1);
  });

  it("stores the document number's last four characters only, and audits without personal data", async () => {
    const { caller, user } = await registerTestUser(deps);
    await caller.compliance.submitKyc(application({ documentNumber: "c01x-00t47" }));
    const [row] = await applicationsOf(user.id);
    expect(row?.documentNumberLast4).toBe("0T47");
    expect(JSON.stringify(row)).not.toContain("C01X00T47");
    const [entry] = await auditFor("kyc.submitted", row?.id ?? "");
    expect(entry?.actorId).toBe(user.id);
    expect(entry?.details).toMatchObject({
      userId: user.id,
      status: "verified",
      checks: { sanctions: "pass" },
    });
    const logged = JSON.stringify(entry);
    for (const pii of ["Maria", "Gonzalez", "1988-05-17", "Lindenstraße", "0T47"])
      expect(logged).not.toContain(pii);
  });

  it("rejects an applicant under 18, saying why", async () => {
    const { caller } = await registerTestUser(deps);
    const now = new Date();
    const seventeen = `${now.getUTCFullYear() - 17}-01-01`;
    const result = await caller.compliance.submitKyc(application({ dateOfBirth: seventeen }));
    expect(result.status).toBe("rejected");
    expect(result.checks?.[0]).toEqual({
      name: "age",
      result: "fail",
      detail: "Applicant must be at least 18 years old",
    });
    const view = await caller.compliance.kyc();
    expect(view).toMatchObject({ status: "rejected", canSubmit: true });
    expect(view.missing).toContain("Applicant must be at least 18 years old");
  });

  it("rejects a document number in the wrong format for its type and country", async () => {
    const { caller } = await registerTestUser(deps);
    const result = await caller.compliance.submitKyc(
      application({ country: "GB", documentType: "passport", documentNumber: "AB1234567" }),
    );
    expect(result.status).toBe("rejected");
    expect(result.checks?.[1]).toMatchObject({ name: "document_number", result: "fail" });
    expect(result.checks?.[1]?.detail).toBe("Passport number must be 9 digits for GB");
  });

  it("rejects a country on the high-risk list, or sends it to review when configured so", async () => {
    const { caller } = await registerTestUser(deps);
    const result = await caller.compliance.submitKyc(application({ country: "IR" }));
    expect(result.status).toBe("rejected");
    expect(result.checks?.[2]).toEqual({
      name: "country",
      result: "fail",
      detail: "Country IR is on the high-risk jurisdictions list",
    });

    const lenient = await testDeps({
      ...manyRegistrations,
      KYC_HIGH_RISK_COUNTRY_OUTCOME: "review",
      HIGH_RISK_COUNTRIES: "KP,IR,MM,SY",
    });
    const other = await registerTestUser(lenient);
    const reviewed = await other.caller.compliance.submitKyc(application({ country: "SY" }));
    expect(reviewed).toEqual({ status: "review", message: "Your verification needs a manual review" });
  });

  it("answers bad input with 400 and stores nothing", async () => {
    const { caller, user } = await registerTestUser(deps);
    await expect(caller.compliance.submitKyc(application({ country: "XX" }))).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      caller.compliance.submitKyc(application({ dateOfBirth: "17/05/1988" })),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      caller.compliance.submitKyc(application({ documentType: "library_card" as KycInput["documentType"] })),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await applicationsOf(user.id)).toEqual([]);
  });

  it("needs a signed-in caller", async () => {
    const anonymous = await callerFor(deps);
    await expect(anonymous.compliance.submitKyc(application())).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    await expect(anonymous.compliance.kyc()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("sanctions screening in KYC", () => {
  const variants: [string, string, number][] = [
    ["an accent dropped", "Ramon Esteban Alvarez Quintanilla", 90002],
    ["its words swapped", "Semyonovich Arkady Vorontsevich", 90001],
    ["one letter wrong", "Arkady Semyonovich Vorontsevuch", 90001],
    ["all three at once", "Quintanila Alvarez Ramon Esteban", 90002],
    ["an alias", "Gregory Petrovanoff", 90006],
  ];

  for (const [how, legalName, entryId] of variants) {
    it(`sends a listed name with ${how} to review; only the reviewer sees the entry, program and score`, async () => {
      const { caller, user } = await registerTestUser(deps);
      const result = await caller.compliance.submitKyc(application({ legalName }));
      expect(result).toEqual({ status: "review", message: "Your verification needs a manual review" });
      const view = await caller.compliance.kyc();
      expect(view).toMatchObject({ status: "review", checks: [], canSubmit: false });
      expect(JSON.stringify(view)).not.toContain(String(entryId));

      const { items } = await admin.caller.compliance.admin.kycApplications({ userId: user.id });
      const check = items[0]?.checks[3];
      expect(items[0]?.status).toBe("review");
      expect(check?.detail).toContain(`entry ${entryId}`);
      expect(check?.detail).toMatch(/program[s]? [A-Z0-9-]+/);
      expect(check?.detail).toMatch(/score (0\.9\d\d|1\.000)/);
      expect(check?.matches?.[0]).toMatchObject({ entryId, screenedName: legalName });
      expect(check?.matches?.[0]?.programs.length).toBeGreaterThan(0);
      expect(check?.matches?.[0]?.score).toBeGreaterThanOrEqual(0.9);
    });
  }

  it("sends the exact listed name with the listed date of birth to review, flagged for the reviewer", async () => {
    const { caller, user } = await registerTestUser(deps);
    const result = await caller.compliance.submitKyc(
      application({ legalName: "Arkady Semyonovich Vorontsevich", dateOfBirth: "1971-03-14" }),
    );
    expect(result).toEqual({ status: "review", message: "Your verification needs a manual review" });
    const [row] = await applicationsOf(user.id);
    expect(row?.status).toBe("review");
    expect(row?.decisionReason).toBeNull();
    expect(row?.checks[3]?.detail).toContain(
      'Name and date of birth match sanctions list entry 90001 "VORONTSEVICH, Arkady Semyonovich"',
    );
    expect(row?.checks[3]?.detail).toContain("program RUSSIA-EO14024");
  });

  it("does not flag a clearly different name, and tells the applicant nothing about the list", async () => {
    const { caller } = await registerTestUser(deps);
    const result = await caller.compliance.submitKyc(application({ legalName: "Ivan Vorontsov" }));
    expect(result.checks?.[3]).toEqual({
      name: "sanctions",
      result: "pass",
      detail: "No match on the sanctions lists",
    });
    expect(result.status).toBe("verified");
  });
});

describe("KYC review by an admin", () => {
  async function inReview() {
    const applicant = await registerTestUser(deps);
    const result = await applicant.caller.compliance.submitKyc(
      application({ legalName: "Ramon Esteban Alvarez Quintanilla" }),
    );
    expect(result.status).toBe("review");
    return applicant;
  }

  it("lists the review queue and moves a case to verified, audited in the same transaction", async () => {
    const applicant = await inReview();
    // A submission while in review is accepted, changes nothing, and is kept for the reviewer.
    expect(await applicant.caller.compliance.submitKyc(application())).toEqual({
      status: "review",
      message: "Your verification needs a manual review",
    });
    expect(await applicationsOf(applicant.user.id)).toHaveLength(1);
    const queue = await admin.caller.compliance.admin.kycApplications({ status: "review", limit: 100 });
    const item = queue.items.find((entry) => entry.userId === applicant.user.id);
    expect(item).toMatchObject({
      userEmail: applicant.email,
      legalName: "Ramon Esteban Alvarez Quintanilla",
      country: "DE",
      resubmissions: [
        { legalName: "Maria Gonzalez", dateOfBirth: "1988-05-17", documentNumberLast4: "0T47" },
      ],
    });
    const [resubmitted] = await auditFor("kyc.resubmitted", item?.id ?? "");
    expect(resubmitted?.details).toMatchObject({ userId: applicant.user.id });

    const { application: decided } = await admin.caller.compliance.admin.decideKyc({
      userId: applicant.user.id,
      decision: "verified",
      reason: "Different person: date and place of birth do not match the listed entry",
    });
    expect(decided).toMatchObject({ status: "verified", decidedBy: admin.user.id });
    expect(await kycStatusOf(deps.db, applicant.user.id)).toBe("verified");
    const [entry] = await auditFor("kyc.decision", decided.id);
    expect(entry).toMatchObject({
      actorId: admin.user.id,
      details: { userId: applicant.user.id, from: "review", to: "verified" },
    });
    await expect(
      admin.caller.compliance.admin.decideKyc({
        userId: applicant.user.id,
        decision: "rejected",
        reason: "again",
      }),
    ).rejects.toMatchObject({ code: "CONFLICT", cause: { code: "KYC_NOT_IN_REVIEW" } });
  });

  it("keeps the history when a rejected applicant submits again", async () => {
    const applicant = await inReview();
    await admin.caller.compliance.admin.decideKyc({
      userId: applicant.user.id,
      decision: "rejected",
      reason: "Document photo does not match",
    });
    const view = await applicant.caller.compliance.kyc();
    expect(view).toMatchObject({ status: "rejected", canSubmit: true });
    expect(view.missing[0]).toBe("Your application was rejected after review by a compliance officer");

    // The earlier, listed name is screened with the new one: the new application goes to review as well.
    const again = await applicant.caller.compliance.submitKyc(application());
    expect(again.status).toBe("review");
    const history = await admin.caller.compliance.admin.kycApplications({ userId: applicant.user.id });
    expect(history.items.map((item) => item.status)).toEqual(["rejected", "review"]);
    expect(history.items[0]?.decisionReason).toBe("Document photo does not match");
    expect(history.items[1]?.checks[3]?.matches?.[0]).toMatchObject({
      entryId: 90002,
      screenedName: "Ramon Esteban Alvarez Quintanilla",
    });

    const clean = await registerTestUser(deps);
    await clean.caller.compliance.submitKyc(application({ dateOfBirth: "2015-01-01" }));
    expect((await clean.caller.compliance.submitKyc(application())).status).toBe("verified");
  });

  it("does not let an admin decide their own application, nor decide where there is none", async () => {
    const self = await registerAdmin(deps);
    await self.caller.compliance.submitKyc(application({ legalName: "Gregory Petrovanoff" }));
    await expect(
      self.caller.compliance.admin.decideKyc({ userId: self.user.id, decision: "verified", reason: "me" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const nobody = await registerTestUser(deps);
    await expect(
      admin.caller.compliance.admin.decideKyc({ userId: nobody.user.id, decision: "verified", reason: "x" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("pages the queue with a cursor", async () => {
    await inReview();
    await inReview();
    const first = await admin.caller.compliance.admin.kycApplications({ status: "review", limit: 1 });
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const second = await admin.caller.compliance.admin.kycApplications({
      status: "review",
      limit: 1,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second.items[0]?.seq).toBeGreaterThan(first.items[0]?.seq ?? 0);
  });
});

describe("compliance admin routes", () => {
  it("refuse a plain user (403) and an anonymous caller (401)", async () => {
    const plain = await registerTestUser(deps);
    const anonymous = await callerFor(deps);
    const id = crypto.randomUUID();
    const calls = (caller: typeof plain.caller) => [
      () => caller.compliance.admin.kycApplications({ status: "review" }),
      () => caller.compliance.admin.decideKyc({ userId: id, decision: "verified", reason: "x" }),
      () => caller.compliance.admin.alerts({ status: "open" }),
      () => caller.compliance.admin.closeAlert({ id, disposition: "false_positive", note: "x" }),
      () => caller.compliance.admin.userCompliance({ userId: id }),
      () => caller.compliance.admin.reloadSanctions(),
    ];
    for (const call of calls(plain.caller)) await expect(call()).rejects.toMatchObject({ code: "FORBIDDEN" });
    for (const call of calls(anonymous)) await expect(call()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("sanctions list", () => {
  let dir: string;
  let listDeps: AppDeps;
  let listAdmin: Awaited<ReturnType<typeof registerAdmin>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "blockscore-sanctions-"));
    copyFileSync(join(fixtures, "SDN.CSV"), join(dir, "SDN.CSV"));
    copyFileSync(join(fixtures, "ALT.CSV"), join(dir, "ALT.CSV"));
    listDeps = await testDeps({ ...manyRegistrations, SANCTIONS_DIR: dir });
    listAdmin = await registerAdmin(listDeps);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is loaded at start and reported by health", async () => {
    const health = await checkHealth(listDeps);
    expect(health.sanctions).toMatchObject({ status: "ok", info: { entries: 22 } });
    expect(Object.keys(health.checks).sort()).toEqual(["blockchain", "database", "model", "redis"]);
  });

  it("reloads from the folder, swaps in the new list and audits it", async () => {
    const newcomer = "Zebulon Quarrington Felsworth";
    const before = await registerTestUser(listDeps);
    expect((await before.caller.compliance.submitKyc(application({ legalName: newcomer }))).status).toBe(
      "verified",
    );

    const original = readFileSync(join(dir, "SDN.CSV"), "latin1");
    const sdn = original.endsWith("\x1a") ? original.slice(0, -1) : original;
    writeFileSync(
      join(dir, "SDN.CSV"),
      `${sdn}90014,"FELSWORTH, Zebulon Quarrington","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 01 Jan 1980."\r\n`,
      "latin1",
    );
    const reloaded = await listAdmin.caller.compliance.admin.reloadSanctions();
    expect(reloaded.count).toBe(23);
    expect(reloaded.loadedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await checkHealth(listDeps)).sanctions.info).toMatchObject({
      entries: 23,
      loadedAt: reloaded.loadedAt.toISOString(),
    });
    const [entry] = await listDeps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "sanctions.reload"), eq(auditLog.actorId, listAdmin.user.id)));
    expect(entry?.details).toMatchObject({ count: 23, previousCount: 22 });

    const after = await registerTestUser(listDeps);
    expect((await after.caller.compliance.submitKyc(application({ legalName: newcomer }))).status).toBe(
      "review",
    );
  });

  it("keeps the list in use when a reload fails, and audits the failure", async () => {
    const count = (await listDeps.sanctions.status()) as { count: number };
    writeFileSync(join(dir, "SDN.CSV"), "not,a,list\r\n");
    await expect(listAdmin.caller.compliance.admin.reloadSanctions()).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      cause: { code: "SANCTIONS_LIST_UNAVAILABLE" },
    });
    expect(await listDeps.sanctions.status()).toMatchObject({ loaded: true, count: count.count });
    const failures = await listDeps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "sanctions.reload_failed"), eq(auditLog.actorId, listAdmin.user.id)));
    expect(failures).toHaveLength(1);
  });

  it("sends every applicant to review when no list is stored and the folder cannot be read, and health says so", async () => {
    // A database of its own: the shared one already holds a list, which an unreadable folder leaves in use.
    const missing = await testDeps(
      { ...manyRegistrations, SANCTIONS_DIR: join(dir, "does-not-exist") },
      { connection: await createTestDatabase() },
    );
    const health = await checkHealth(missing);
    expect(health.status).toBe("degraded");
    expect(health.sanctions).toMatchObject({ status: "error", info: { entries: 0, loadedAt: null } });
    const { caller } = await registerTestUser(missing);
    const result = await caller.compliance.submitKyc(application());
    expect(result).toEqual({ status: "review", message: "Your verification needs a manual review" });
    const [row] = await missing.db
      .select()
      .from(kycApplications)
      .where(eq(kycApplications.userId, (await caller.profile.get()).user.id));
    expect(row?.checks[3]).toEqual({
      name: "sanctions",
      result: "review",
      detail: "Sanctions list is not loaded; screening could not run",
      matches: [],
    });
  });
});
