/**
 * Property tests (fast-check) for scoring, on every engine as applicants meet it (`scoreDeclared`): more late
 * payments or more utilisation never raise a score, and an input left out never scores better than declaring it.
 */
import { describe, expect, it } from "bun:test";
import fc from "fast-check";
import { DEFAULT_MODEL_PATH, loadModel } from "../../../server/credit/gbdt/load.ts";
import type { PaymentRecord } from "../../../server/credit/payment-record.ts";
import type { ScoringProfile } from "../../../server/credit/profile-inputs.ts";
import { DEFAULT_SCORECARD_PATH, loadScorecard } from "../../../server/credit/scorecard/load.ts";
import { type ScoringDeps, scoreDeclared } from "../../../server/credit/scoring.ts";

const scorecard = await loadScorecard();
if (!scorecard) throw new Error(`no scorecard at ${DEFAULT_SCORECARD_PATH}`);
const model = await loadModel();
if (!model) throw new Error(`no model at ${DEFAULT_MODEL_PATH}`);
const limits = { maxAnnualIncomeCents: 1_000_000_000 };
const engines: [string, ScoringDeps][] = [
  ["boosted trees", { scoring: { engine: "model", model, reason: "test" }, limits }],
  ["scorecard", { scoring: { engine: "scorecard", scorecard, reason: "test" }, limits }],
  ["rules", { scoring: { engine: "rules", reason: "test" }, limits }],
];
const at = new Date("2025-06-15T12:00:00Z");
const record: PaymentRecord = { onTimeInstalments: 3, lateInstalments: 0, defaultedLoans: 0, openLoans: 1 };

const profile: fc.Arbitrary<ScoringProfile> = fc.record({
  dateOfBirth: fc.integer({ min: 1930, max: 2005 }).map((year) => `${year}-06-01`),
  annualIncomeCents: fc.integer({ min: 0, max: 30_000_000 }),
  monthlyDebtPaymentsCents: fc.integer({ min: 0, max: 1_000_000 }),
  revolvingUtilizationPercent: fc.integer({ min: 0, max: 300 }),
  openCreditLines: fc.nat(30),
  realEstateLoans: fc.nat(5),
  dependants: fc.nat(6),
  pastDue30to59: fc.nat(6),
  pastDue60to89: fc.nat(4),
  pastDue90Plus: fc.nat(4),
  creditHistoryYears: fc.nat(40),
  recentInquiries: fc.nat(12),
});

const lateCounts = ["pastDue30to59", "pastDue60to89", "pastDue90Plus"] as const;
const optional = [
  "dateOfBirth",
  "openCreditLines",
  "realEstateLoans",
  "dependants",
  "creditHistoryYears",
  "recentInquiries",
] as const;

for (const [name, deps] of engines) {
  const score = (declared: ScoringProfile) =>
    scoreDeclared({ profile: declared, wallet: null }, record, at, deps).score;

  describe(`${name}`, () => {
    it("never scores higher for more late payments, in any of the three counts", () => {
      fc.assert(
        fc.property(
          profile,
          fc.constantFrom(...lateCounts),
          fc.integer({ min: 1, max: 5 }),
          (base, field, more) => {
            expect(score({ ...base, [field]: (base[field] ?? 0) + more })).toBeLessThanOrEqual(score(base));
          },
        ),
        { numRuns: 60 },
      );
    });

    it("never scores higher for more of the credit limit in use", () => {
      fc.assert(
        fc.property(profile, fc.integer({ min: 1, max: 150 }), (base, more) => {
          const higher = Math.min(300, (base.revolvingUtilizationPercent ?? 0) + more);
          expect(score({ ...base, revolvingUtilizationPercent: higher })).toBeLessThanOrEqual(score(base));
        }),
        { numRuns: 60 },
      );
    });

    it("never scores an input left out better than the same profile declaring it", () => {
      fc.assert(
        fc.property(profile, fc.constantFrom(...optional), (base, field) => {
          expect(score({ ...base, [field]: null })).toBeLessThanOrEqual(score(base));
        }),
        { numRuns: 40 },
      );
    });
  });
}
