import type { ProbePoints } from "../missing-inputs.ts";
import { FEATURE_IDS } from "../scorecard/features.ts";
import { PROBE_FOR_FEATURE } from "../scorecard/probes.ts";
import type { ModelArtifact } from "./artifact.ts";

/**
 * The trees' split thresholds per declarable input: the ensemble's score changes only there, so values on both
 * sides of each (the search tries both) reach every leaf combination a single input can reach, monotone
 * constraint or not.
 */
export function modelProbes(artifact: ModelArtifact): ProbePoints {
  const probes: Record<string, Set<number>> = {};
  for (const nodes of artifact.trees) {
    for (const node of nodes) {
      if (node.length !== 3) continue;
      const [feature, threshold] = node;
      const key = PROBE_FOR_FEATURE[FEATURE_IDS[feature] as (typeof FEATURE_IDS)[number]];
      if (!key) continue;
      probes[key] ??= new Set();
      probes[key].add(threshold);
    }
  }
  return Object.fromEntries(Object.entries(probes).map(([key, values]) => [key, [...values]])) as ProbePoints;
}
