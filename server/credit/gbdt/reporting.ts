import { binLabel } from "../scorecard/binning.ts";
import type { ModelArtifact, ModelFeature } from "./artifact.ts";
import { MODEL_FEATURES, REQUIRED_DIRECTIONS } from "./features.ts";
import type { FeatureBins } from "./histogram.ts";

/**
 * What the artifact keeps of the training rows for the model card and for stability monitoring (PSI of the
 * score, characteristic stability of each feature): aggregates only.
 */

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** Ten buckets of the training scores at their deciles (a score never straddles two buckets). */
export function scoreDistribution(scores: Float64Array): ModelArtifact["scoreDistribution"] {
  const sorted = Float64Array.from(scores).sort();
  const bounds: number[] = [];
  for (let d = 1; d < 10; d++) {
    const bound = sorted[Math.floor((d * sorted.length) / 10)] as number;
    if (bound > (bounds[bounds.length - 1] ?? Number.NEGATIVE_INFINITY) && bound > (sorted[0] as number))
      bounds.push(bound);
  }
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (const score of scores) {
    let bucket = 0;
    while (bucket < bounds.length && score >= (bounds[bucket] as number)) bucket++;
    counts[bucket] = (counts[bucket] as number) + 1;
  }
  return { bounds, counts, shares: counts.map((count) => round(count / scores.length, 6)) };
}

/**
 * A feature as the model card and the stability monitoring read it: the histogram's value bins merged into
 * groups of at least a tenth of the training rows (a tail under a hundredth joins the group before it), each
 * with its share, bad rate and the mean points it gave; and the same for missing values.
 */
export function reportingFeature(
  k: number,
  values: Float64Array,
  bins: FeatureBins,
  points: Float64Array,
  labels: Uint8Array,
  rows: Uint32Array,
  importance: number,
): ModelFeature {
  const spec = MODEL_FEATURES[k] as (typeof MODEL_FEATURES)[number];
  const perBin = Array.from({ length: bins.missingBin + 1 }, () => ({ count: 0, bad: 0, points: 0 }));
  for (const row of rows) {
    const value = values[row] as number;
    let bin = bins.missingBin;
    if (!Number.isNaN(value)) {
      bin = 0;
      while (bin < bins.edges.length && value >= (bins.edges[bin] as number)) bin++;
    }
    const cell = perBin[bin] as { count: number; bad: number; points: number };
    cell.count++;
    cell.bad += labels[row] as number;
    cell.points += points[row] as number;
  }
  const missing = perBin[bins.missingBin] as { count: number; bad: number; points: number };
  const present = rows.length - missing.count;
  const groups: { first: number; last: number; count: number; bad: number; points: number }[] = [];
  let open: (typeof groups)[number] | null = null;
  for (let bin = 0; bin < bins.missingBin; bin++) {
    const cell = perBin[bin] as { count: number; bad: number; points: number };
    open ??= { first: bin, last: bin, count: 0, bad: 0, points: 0 };
    open.last = bin;
    open.count += cell.count;
    open.bad += cell.bad;
    open.points += cell.points;
    if (open.count >= present / 10) {
      groups.push(open);
      open = null;
    }
  }
  if (open) {
    const previous = groups[groups.length - 1];
    if (previous && open.count < present / 100) {
      previous.last = open.last;
      previous.count += open.count;
      previous.bad += open.bad;
      previous.points += open.points;
    } else groups.push(open);
  }
  const edge = (bin: number) => (bin === 0 ? null : (bins.edges[bin - 1] as number));
  return {
    id: spec.id,
    label: spec.label,
    inputs: [...spec.inputs],
    direction: REQUIRED_DIRECTIONS[spec.id],
    importance,
    bins: groups.map((group, i) => {
      const lower = i === 0 ? null : edge(group.first);
      const upper = i === groups.length - 1 ? null : edge(group.last + 1);
      return {
        label: binLabel(lower, upper, spec.integer),
        lower,
        upper,
        count: group.count,
        share: round(group.count / rows.length, 6),
        badRate: group.count > 0 ? round(group.bad / group.count, 6) : 0,
        points: group.count > 0 ? round(group.points / group.count, 2) : 0,
      };
    }),
    missing: {
      count: missing.count,
      share: round(missing.count / rows.length, 6),
      badRate: missing.count > 0 ? round(missing.bad / missing.count, 6) : null,
      points: missing.count > 0 ? round(missing.points / missing.count, 2) : null,
    },
  };
}
