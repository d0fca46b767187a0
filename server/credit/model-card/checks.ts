import type { ModelArtifact } from "../gbdt/artifact";
import { checkConstraints } from "../gbdt/constraints";
import { decodeTree } from "../gbdt/decode";
import { predictWithModel, scoreWithModel } from "../gbdt/score";
import type { ScoreInputs } from "../inputs";
import { mulberry32 } from "../scorecard/split";

/** A fair-lending or business check run on the artifact, with what it covered and what it found. */
export type CardCheck = { name: string; rule: string; passed: boolean; result: string };

const APPLICANTS = 200;
const AGES = Array.from({ length: 83 }, (_, i) => 18 + i);

/** Seeded synthetic applicants across the features' ranges (the same grid on every run and machine). */
export function syntheticApplicants(count = APPLICANTS, seed = 62): ScoreInputs[] {
  const random = mulberry32(seed);
  const int = (max: number) => Math.floor(random() * (max + 1));
  return Array.from({ length: count }, () => ({
    age: 18 + int(82),
    monthlyIncome: random() < 0.1 ? null : Math.round(random() * 15_000),
    monthlyDebtPayments: Math.round(random() * 4_000),
    revolvingUtilization: random() * 1.2,
    openCreditLines: int(25),
    realEstateLoans: int(4),
    dependants: int(5),
    pastDue30to59: random() < 0.7 ? 0 : int(5),
    pastDue60to89: random() < 0.8 ? 0 : int(3),
    pastDue90Plus: random() < 0.8 ? 0 : int(3),
    creditHistoryYears: null,
    recentInquiries: null,
    walletAgeDays: null,
    walletTxCount: null,
  }));
}

/** Counts the applicants whose score moves against `direction` somewhere along `values` of one input. */
function monotoneViolations(
  model: ModelArtifact,
  applicants: readonly ScoreInputs[],
  key: keyof ScoreInputs,
  values: readonly number[],
  direction: "up" | "down",
): { checked: number; violations: number } {
  let violations = 0;
  for (const applicant of applicants) {
    let previous: number | null = null;
    for (const value of values) {
      const score = predictWithModel(model, { ...applicant, [key]: value });
      if (previous !== null && (direction === "up" ? score < previous : score > previous)) {
        violations++;
        break;
      }
      previous = score;
    }
  }
  return { checked: applicants.length * values.length, violations };
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * The checks the model card reports, run on the artifact itself: the constraints on every tree (as loading
 * does), then the same rules over a grid of synthetic applicants, scored as the server scores.
 */
export function fairLendingChecks(model: ModelArtifact): CardCheck[] {
  const trees = model.trees.map((nodes) => decodeTree(nodes, model.method.boosting.maxDepth));
  const decoded = trees.filter((tree) => typeof tree !== "string");
  const treeViolations = checkConstraints(decoded);
  const applicants = syntheticApplicants();

  const age = monotoneViolations(model, applicants, "age", AGES, "up");
  let olderBelowYounger = 0;
  let missingAbove = 0;
  for (const applicant of applicants) {
    const scores = AGES.map((years) => predictWithModel(model, { ...applicant, age: years }));
    const youngestBest = Math.max(...scores.slice(0, 62 - 18));
    if (Math.min(...scores.slice(62 - 18)) < youngestBest) olderBelowYounger++;
    if (predictWithModel(model, { ...applicant, age: null }) > Math.min(...scores)) missingAbove++;
  }
  let ageReasons = 0;
  for (const applicant of applicants) {
    if (scoreWithModel(model, applicant).reasons.some((reason) => reason.code === "M00")) ageReasons++;
  }
  const lateness = (["pastDue30to59", "pastDue60to89", "pastDue90Plus"] as const).map((key) =>
    monotoneViolations(model, applicants, key, [0, 1, 2, 3, 4, 5, 6, 8, 10], "down"),
  );
  const utilisation = monotoneViolations(
    model,
    applicants,
    "revolvingUtilization",
    Array.from({ length: 31 }, (_, i) => i * 0.05),
    "down",
  );
  const latenessViolations = lateness.reduce((sum, item) => sum + item.violations, 0);
  const latenessChecked = lateness.reduce((sum, item) => sum + item.checked, 0);

  return [
    {
      name: "Monotone constraints on every tree",
      rule: "More lateness or utilisation never raises a leaf's score; more age never lowers it; a constrained feature's missing value goes to the riskier side",
      passed: treeViolations.length === 0 && decoded.length === trees.length,
      result: `${model.trees.length} trees checked at load, ${treeViolations.length} violations`,
    },
    {
      name: "Regulation B age rule (12 CFR 1002.6(b)(2)(ii))",
      rule: "Applicants aged 62 and over never get fewer points for age than anyone younger: the score never falls as age rises",
      passed: age.violations === 0 && olderBelowYounger === 0,
      result: `${count(applicants.length)} synthetic applicants at every age from 18 to 100 (${count(age.checked)} scores): ${age.violations} fall with age, ${olderBelowYounger} score lower at 62+ than younger`,
    },
    {
      name: "A missing age scores as the youngest",
      rule: "Leaving age out never scores better than any age would",
      passed: missingAbove === 0,
      result: `${count(applicants.length)} applicants: ${missingAbove} score higher without an age`,
    },
    {
      name: "Age is never a reason",
      rule: "A reason given to a declined applicant names a scored factor, never a protected characteristic",
      passed: ageReasons === 0,
      result: `${count(applicants.length)} scores explained: ${ageReasons} name age`,
    },
    {
      name: "More lateness never raises the score",
      rule: "Each past-due counter from 0 to 10, all else held",
      passed: latenessViolations === 0,
      result: `${count(latenessChecked)} scores: ${latenessViolations} applicants gain from lateness`,
    },
    {
      name: "More utilisation never raises the score",
      rule: "Revolving utilisation from 0 % to 150 %, all else held",
      passed: utilisation.violations === 0,
      result: `${count(utilisation.checked)} scores: ${utilisation.violations} applicants gain from utilisation`,
    },
  ];
}
