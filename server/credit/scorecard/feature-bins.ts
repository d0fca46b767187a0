import type { ScorecardBin } from "./artifact.ts";
import { type BinningOptions, binFeature, binIndex, binLabel, type RiskDirection } from "./binning.ts";
import type { FeatureSpec } from "./features.ts";
import { weightOfEvidence } from "./woe.ts";

/** One feature after binning on the training rows: its bins, their WoE, and its missing group. */
export type BinnedFeature = {
  spec: FeatureSpec;
  /** The feature's value on every row of the dataset (NaN = missing). */
  values: Float64Array;
  direction: RiskDirection;
  cuts: number[];
  bins: Omit<ScorecardBin, "points">[];
  missing: { count: number; bad: number; learnt: boolean; woe: number };
  informationValue: number;
};

export type FeatureBinningOptions = Omit<BinningOptions, "riskDirection" | "pooledFrom"> & {
  /** A missing group this large learns its own WoE; smaller or absent, it takes the worst bin's. */
  minMissingCount: number;
  /**
   * A learnt missing WoE is capped here (0 = the average applicant). Inputs on this platform are
   * self-reported: in the training data a missing income marks a lower-risk group (5.6 % bad), but
   * rewarding it would let an applicant gain dozens of points by leaving income out.
   */
  maxMissingWoe: number;
};

const round6 = (value: number): number => Number(value.toFixed(6));

/**
 * Bins one feature on the training rows and computes each bin's WoE (rounded to 6 decimals, the
 * values the regression sees and the artifact stores) and the feature's information value.
 */
export function binFeatureForScorecard(
  spec: FeatureSpec,
  values: Float64Array,
  labels: Uint8Array,
  train: Uint32Array,
  options: FeatureBinningOptions,
): BinnedFeature {
  const binning = binFeature(values, labels, train, {
    ...options,
    riskDirection: spec.riskDirection,
    pooledFrom: spec.pooledFrom,
  });
  const counts = Array.from({ length: binning.cuts.length + 1 }, () => ({ count: 0, bad: 0 }));
  let trainBad = 0;
  for (const row of train) {
    const bad = labels[row] as number;
    trainBad += bad;
    const value = values[row] as number;
    if (Number.isNaN(value)) continue;
    const cell = counts[binIndex(binning.cuts, value)] as { count: number; bad: number };
    cell.count++;
    cell.bad += bad;
  }
  const trainGood = train.length - trainBad;
  let informationValue = 0;
  const bins = counts.map(({ count, bad }, i) => {
    const good = count - bad;
    const woe = round6(weightOfEvidence(good, bad, trainGood, trainBad));
    informationValue += (good / trainGood - bad / trainBad) * woe;
    const lower = i === 0 ? null : (binning.cuts[i - 1] as number);
    const upper = i === counts.length - 1 ? null : (binning.cuts[i] as number);
    return {
      label: binLabel(lower, upper, spec.integer),
      lower,
      upper,
      count,
      bad,
      badRate: round6(bad / count),
      woe,
    };
  });

  const { count, bad } = binning.missing;
  const learnt = count >= options.minMissingCount && bad > 0 && bad < count;
  const woe = learnt
    ? Math.min(options.maxMissingWoe, round6(weightOfEvidence(count - bad, bad, trainGood, trainBad)))
    : Math.min(...bins.map((bin) => bin.woe));
  return {
    spec,
    values,
    direction: binning.direction,
    cuts: binning.cuts,
    bins,
    missing: { count, bad, learnt, woe },
    informationValue,
  };
}

/** The WoE of each feature's bin (or missing group) on each given row: row-major, rows × features. */
export function woeMatrix(features: readonly BinnedFeature[], rows: Uint32Array): Float64Array {
  const k = features.length;
  const x = new Float64Array(rows.length * k);
  for (let j = 0; j < k; j++) {
    const { values, cuts, bins, missing } = features[j] as BinnedFeature;
    for (let i = 0; i < rows.length; i++) {
      const value = values[rows[i] as number] as number;
      x[i * k + j] = Number.isNaN(value) ? missing.woe : (bins[binIndex(cuts, value)]?.woe as number);
    }
  }
  return x;
}
