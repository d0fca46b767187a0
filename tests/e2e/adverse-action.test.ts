import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppDeps } from "../../server/context";
import { adverseActionNoticeSchema, loanRejectionNotice } from "../../server/loans/adverse-action";
import { startTestServer, type TestServer, testDeps } from "../helpers/app";
import { FULL_PROFILE } from "../helpers/credit";
import { LOAN_TEST_OVERRIDES, makeApplicant, makeStaff, newKey } from "../helpers/loans";
import { restClient } from "../helpers/rest";

let deps: AppDeps;
let server: TestServer;
let rest: ReturnType<typeof restClient>;
let underwriter: Awaited<ReturnType<typeof makeStaff>>;

beforeAll(async () => {
  deps = await testDeps(LOAN_TEST_OVERRIDES);
  server = await startTestServer(deps);
  rest = restClient(server.url);
  underwriter = await makeStaff(deps, "underwriter");
});
afterAll(async () => {
  await server.stop();
});

const application = { amount: "5000.00", termMonths: 12, purpose: "Used car" };
const applyFor = (token: string, body: object = application) =>
  rest("POST", "/loans/apply", { token, body, headers: { "Idempotency-Key": newKey() } });

async function rejectedLoan(body: object = { reason: "Income could not be confirmed" }) {
  const applicant = await makeApplicant(deps);
  const applied = await applyFor(applicant.token);
  expect(applied.status).toBe(200);
  const id = applied.body.id as string;
  const rejected = await rest("POST", `/loans/${id}/reject`, { token: underwriter.token, body });
  expect(rejected.status).toBe(200);
  return { applicant, id };
}

const hasTool = (name: string) => Bun.which(name) !== null;

describe("an underwriter's rejection", () => {
  it("gives the applicant a notice: the decision, the reasons, the score with its range and date, the ECOA text", async () => {
    const { applicant, id } = await rejectedLoan();
    const { status, body } = await rest("GET", `/loans/${id}/notice`, { token: applicant.token });
    expect(status).toBe(200);
    const notice = adverseActionNoticeSchema.parse(body);
    expect(notice.loanId).toBe(id);
    expect(notice.source).toBe("underwriter");
    expect(notice.decision.outcome).toBe("declined");
    expect(notice.decision.statement).toContain("5000.00");
    expect(notice.reasons[0]).toEqual({ code: "UNDERWRITER", description: "Income could not be confirmed" });
    expect(notice.reasons.length).toBeLessThanOrEqual(4);
    expect(notice.score?.range).toEqual({ min: 300, max: 850 });
    expect(notice.score?.value).toBeGreaterThanOrEqual(300);
    expect(notice.score?.calculatedAt.getTime()).toBeLessThanOrEqual(notice.issuedAt.getTime());
    expect(notice.ecoaNotice).toContain("Equal Credit Opportunity Act");
    expect(notice.creditor.name).toBe(deps.config.CREDITOR_NAME);
    // Never a protected characteristic among the reasons.
    expect(notice.reasons.map((reason) => reason.code)).not.toContain("M00");

    // The same notice for events (webhooks), and in the applicant's list.
    expect(await loanRejectionNotice(deps.db, id)).toEqual(notice);
    const listed = await rest("GET", "/loans/notices", { token: applicant.token });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([notice.id]);
  });

  it("is readable by the applicant and staff only: another user gets 404, nobody signed in 401", async () => {
    const { id } = await rejectedLoan();
    const other = await makeApplicant(deps, { kyc: false, scoredAt: false });
    expect((await rest("GET", `/loans/${id}/notice`, { token: other.token })).status).toBe(404);
    expect((await rest("GET", `/loans/${id}/notice?format=pdf`, { token: other.token })).status).toBe(404);
    expect((await rest("GET", `/loans/${id}/notice`)).status).toBe(401);
    expect((await rest("GET", "/loans/notices")).status).toBe(401);
    expect((await rest("GET", `/loans/${id}/notice`, { token: underwriter.token })).status).toBe(200);
    const otherList = await rest("GET", "/loans/notices", { token: other.token });
    expect(otherList.body.items).toEqual([]);
  });

  it("owes no notice when the rejection is not a credit decision, and a loan not rejected has none", async () => {
    const { applicant, id } = await rejectedLoan({ reason: "Asked by the applicant", creditReason: false });
    const answer = await rest("GET", `/loans/${id}/notice`, { token: applicant.token });
    expect(answer.status).toBe(404);
    const submitted = await applyFor(applicant.token);
    expect((await rest("GET", `/loans/${submitted.body.id}/notice`, { token: applicant.token })).status).toBe(
      404,
    );
    expect((await rest("GET", "/loans/not-a-uuid/notice", { token: applicant.token })).status).toBe(400);
    const badFormat = await rest("GET", `/loans/${id}/notice?format=docx`, { token: applicant.token });
    expect(badFormat.status).toBe(400);
  });

  it("is a PDF letter with ?format=pdf, carrying the same content", async () => {
    const { applicant, id } = await rejectedLoan();
    const json = adverseActionNoticeSchema.parse(
      (await rest("GET", `/loans/${id}/notice`, { token: applicant.token })).body,
    );
    const response = await fetch(`${server.url}/api/loans/${id}/notice?format=pdf`, {
      headers: { authorization: `Bearer ${applicant.token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    const pdf = new Uint8Array(await response.arrayBuffer());
    expect(new TextDecoder("latin1").decode(pdf.slice(0, 5))).toBe("%PDF-");
    if (!hasTool("pdftotext")) {
      console.warn("pdftotext (poppler-utils) is missing: the PDF's text is not checked");
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "notice-"));
    try {
      writeFileSync(join(dir, "notice.pdf"), pdf);
      const run = Bun.spawnSync(["pdftotext", "-layout", join(dir, "notice.pdf"), join(dir, "notice.txt")]);
      expect(run.exitCode).toBe(0);
      const text = readFileSync(join(dir, "notice.txt"), "utf8").replace(/\s+/g, " ");
      expect(text).toContain("Notice of action taken");
      expect(text).toContain("has been declined");
      expect(text).toContain("Income could not be confirmed");
      expect(text).toContain(`credit score of ${json.score?.value}`);
      expect(text).toContain("Scores range from 300 to 850");
      expect(text).toContain("Federal Trade Commission, Equal Credit Opportunity, Washington, DC 20580");
      expect(text).toContain(json.id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a refusal by eligibility", () => {
  it("for a credit reason carries the notice in the 422's details, kept and listed", async () => {
    // Debts of 5,000.00 a month on 6,000.00 of income: over the debt-to-income ceiling.
    const applicant = await makeApplicant(deps, {
      profile: { ...FULL_PROFILE, monthlyDebtPayments: "5000.00" },
    });
    const refused = await applyFor(applicant.token);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("DTI_TOO_HIGH");
    const notice = adverseActionNoticeSchema.parse(refused.body.details.notice);
    expect(notice.source).toBe("eligibility");
    expect(notice.loanId).toBeNull();
    expect(notice.reasons[0]?.description).toBe("Excessive obligations in relation to income");
    expect(notice.reasons.length).toBeLessThanOrEqual(4);
    expect(notice.score?.range).toEqual({ min: 300, max: 850 });
    const listed = await rest("GET", "/loans/notices", { token: applicant.token });
    expect(listed.body.items).toHaveLength(1);
    expect(adverseActionNoticeSchema.parse(listed.body.items[0])).toEqual(notice);
  });

  it("below the score floor names the score's own reasons", async () => {
    const applicant = await makeApplicant(deps, {
      profile: {
        ...FULL_PROFILE,
        revolvingUtilizationPercent: 100,
        pastDue30to59: 4,
        pastDue60to89: 3,
        pastDue90Plus: 3,
      },
    });
    const refused = await applyFor(applicant.token);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("SCORE_BELOW_FLOOR");
    const notice = adverseActionNoticeSchema.parse(refused.body.details.notice);
    expect(notice.score?.value).toBeLessThan(deps.config.LOAN_SCORE_FLOOR);
    expect(notice.reasons.length).toBeGreaterThan(0);
    expect(notice.reasons).toEqual(notice.score?.keyFactors ?? []);
  });

  it("that the applicant can cure (identity not verified) is no adverse action: no notice", async () => {
    const applicant = await makeApplicant(deps, { kyc: false });
    const refused = await applyFor(applicant.token);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("KYC_NOT_VERIFIED");
    expect(refused.body.details?.notice).toBeUndefined();
    expect((await rest("GET", "/loans/notices", { token: applicant.token })).body.items).toEqual([]);
  });
});
