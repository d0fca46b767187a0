import { describe, expect, it } from "bun:test";
import { buildNotice, ECOA_NOTICE } from "../../../server/loans/adverse-action";

const score = {
  score: 590,
  calculatedAt: new Date("2026-11-01T10:00:00Z"),
  engine: "model" as const,
  modelVersion: "gbdt-test",
  reasons: [
    {
      code: "M04",
      description: "Proportion of balances to credit limits on revolving accounts is too high",
      impact: 40,
    },
    { code: "M05", description: "Excessive obligations in relation to income", impact: 20 },
    { code: "M01", description: "Serious delinquency", impact: 15 },
    { code: "M02", description: "Time since delinquency is too recent", impact: 10 },
  ],
};
const base = {
  id: "7b0f0d5e-8f43-4c1a-9d1e-3c1c2b1a0f00",
  source: "eligibility" as const,
  loanId: null,
  creditor: { name: "BlockScore", address: "1 Main St" },
  amountCents: 500_000,
  termMonths: 12,
  decidedAt: new Date("2026-11-02T09:00:00Z"),
};

describe("an adverse-action notice", () => {
  it("states the rule's reason first, then the score's, at most four, each once", () => {
    const notice = buildNotice({
      ...base,
      leadingReason: { code: "DTI", description: "Excessive obligations in relation to income" },
      score,
    });
    expect(notice.reasons.map((reason) => reason.code)).toEqual(["DTI", "M04", "M01", "M02"]);
    expect(notice.score?.keyFactors).toHaveLength(4);
  });

  it("gives the score with its range and date, the decision in a sentence, and the ECOA text", () => {
    const notice = buildNotice({ ...base, leadingReason: null, score });
    expect(notice.score).toMatchObject({
      value: 590,
      range: { min: 300, max: 850 },
      calculatedAt: score.calculatedAt,
    });
    expect(notice.decision.statement).toBe(
      "Your application for a loan of 5000.00 over 12 months has been declined.",
    );
    expect(notice.ecoaNotice).toBe(ECOA_NOTICE);
    expect(notice.reasons).toEqual(score.reasons.map(({ code, description }) => ({ code, description })));
  });

  it("without a score names only the rule's reason", () => {
    const notice = buildNotice({
      ...base,
      leadingReason: {
        code: "DEFAULT",
        description: "Delinquent past or present credit obligations with us",
      },
      score: null,
    });
    expect(notice.score).toBeNull();
    expect(notice.reasons).toHaveLength(1);
  });
});
