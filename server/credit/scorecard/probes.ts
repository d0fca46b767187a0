import type { ProbePoints } from "../missing-inputs.ts";
import type { ScorecardArtifact } from "./artifact.ts";
import type { FeatureId } from "./features.ts";

/**
 * Where each declarable input enters the scorecard's features, which the trees read too (utilisation and the
 * past-due counts are required, never missing).
 */
export const PROBE_FOR_FEATURE: Partial<Record<FeatureId, keyof ProbePoints>> = {
  age: "age",
  debtRatio: "debtToIncome",
  monthlyIncome: "monthlyIncome",
  openCreditLines: "openCreditLines",
  realEstateLoans: "realEstateLoans",
  dependants: "dependants",
};

/** The scorecard's bin edges: its points change only there, so a value at each edge tries every bin. */
export function scorecardProbes(artifact: ScorecardArtifact): ProbePoints {
  const probes: Record<string, number[]> = {};
  for (const feature of artifact.features) {
    const key = PROBE_FOR_FEATURE[feature.id];
    if (!key) continue;
    probes[key] = feature.bins.flatMap((bin) => (bin.lower === null ? [] : [bin.lower]));
  }
  return probes as ProbePoints;
}
