import { FEATURE_IDS, FEATURES, type FeatureId, type FeatureSpec } from "../scorecard/features.ts";

/**
 * The trees read the scorecard's ten features, computed from `ScoreInputs` by the same functions (so the two
 * engines see the same variables, missing where the inputs are, and the same reason codes), in
 * `FEATURE_IDS` order: a tree's feature index is a position in that list.
 */
export const MODEL_FEATURES: readonly FeatureSpec[] = FEATURE_IDS.map((id) => {
  const spec = FEATURES.find((feature) => feature.id === id);
  if (!spec) throw new Error(`feature ${id} has no spec`);
  return spec;
});

/** How the score must move as a feature's value grows, whatever the other features are. */
export type ScoreDirection = "nonIncreasing" | "nonDecreasing" | "free";

/**
 * The business's monotone constraints: more lateness or utilisation never raises the score; age never
 * lowers it (with a missing age scored as the youngest, that keeps Regulation B: applicants aged 62+ never
 * score lower for their age than anyone younger). A constrained feature's missing value always goes to the
 * riskier side of its splits. Training enforces these; loading checks them on the trees.
 */
export const REQUIRED_DIRECTIONS: Readonly<Record<FeatureId, ScoreDirection>> = {
  revolvingUtilization: "nonIncreasing",
  age: "nonDecreasing",
  debtRatio: "free",
  monthlyIncome: "free",
  openCreditLines: "free",
  realEstateLoans: "free",
  dependants: "free",
  pastDue30to59: "nonIncreasing",
  pastDue60to89: "nonIncreasing",
  pastDue90Plus: "nonIncreasing",
};

/** The trees' sign for a direction: +1 when the log-odds of bad may only rise with the value. */
export function riskSign(direction: ScoreDirection): -1 | 0 | 1 {
  return direction === "nonIncreasing" ? 1 : direction === "nonDecreasing" ? -1 : 0;
}
