/**
 * Histogram binning for the trees: each feature's training values are cut into at most `maxBins` value bins
 * (one per distinct value when there are few, otherwise quantiles rounded to three significant digits), plus
 * one bin for a missing value (NaN). A split is a cut between two adjacent value bins, so a tree only ever
 * compares a value with one of these edges.
 */
export type FeatureBins = {
  /** Lower bounds of value bins 1..n−1: bin i holds edges[i−1] ≤ value < edges[i]. */
  edges: Float64Array;
  /** The missing bin's index: the number of value bins. */
  missingBin: number;
};

/** Three significant digits: 0.34817 → 0.348, 3314 → 3310; integers below 1000 stay exact. */
export function roundEdge(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(3));
}

/** Bins of one feature from its values on the given rows (NaN = missing). */
export function featureBins(values: Float64Array, rows: Uint32Array, maxBins: number): FeatureBins {
  const present: number[] = [];
  for (const row of rows) {
    const value = values[row] as number;
    if (!Number.isNaN(value)) present.push(value);
  }
  const sorted = Float64Array.from(present).sort();
  const distinct: number[] = [];
  for (const value of sorted) if (distinct[distinct.length - 1] !== value) distinct.push(value);
  let edges: number[];
  if (distinct.length <= maxBins) edges = distinct.slice(1);
  else {
    const candidates = new Set<number>();
    for (let i = 1; i < maxBins; i++) {
      const value = sorted[Math.floor((i * sorted.length) / maxBins)] as number;
      const edge = roundEdge(value);
      if (edge > (distinct[0] as number)) candidates.add(edge);
    }
    edges = [...candidates].sort((a, b) => a - b);
  }
  return { edges: Float64Array.from(edges), missingBin: edges.length + 1 };
}

/** The bin of a value: the number of edges at or below it; NaN goes to the missing bin. */
export function binOf(bins: FeatureBins, value: number): number {
  if (Number.isNaN(value)) return bins.missingBin;
  const { edges } = bins;
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (value >= (edges[mid] as number)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Every row's bin of every feature, feature-major: codes[f · rows + row]. At most 255 value bins. */
export function binMatrix(columns: readonly Float64Array[], bins: readonly FeatureBins[]): Uint8Array {
  const rows = columns[0]?.length ?? 0;
  const codes = new Uint8Array(rows * columns.length);
  columns.forEach((values, f) => {
    const featureBins = bins[f] as FeatureBins;
    if (featureBins.missingBin > 255) throw new RangeError("at most 255 value bins per feature");
    for (let row = 0; row < rows; row++) codes[f * rows + row] = binOf(featureBins, values[row] as number);
  });
  return codes;
}
