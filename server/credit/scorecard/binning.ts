import { informationValue } from "./woe.ts";

export type RiskDirection = "increasing" | "decreasing";

export type BinningOptions = {
  riskDirection: RiskDirection | "auto";
  /** Values from here up form a single bin before any merging. */
  pooledFrom?: number;
  /** Fine classing: each fine group holds at least this share of the non-missing rows. */
  fineShare: number;
  /** Coarse classing: each final bin holds at least this share, and this many bads and goods. */
  minShare: number;
  minBad: number;
  minGood: number;
  maxBins: number;
};

/** A run of adjacent values: bins are [lower, next group's lower); min/max are the values seen. */
export type Group = { lower: number; min: number; max: number; count: number; bad: number };

export type Binning = {
  direction: RiskDirection;
  /** Lower bounds of bins 2..n: bin i holds cuts[i-1] ≤ value < cuts[i]. */
  cuts: number[];
  groups: Group[];
  missing: { count: number; bad: number };
};

/** The bin a value falls in, given the cut points (the lower bounds of every bin but the first). */
export function binIndex(cuts: ArrayLike<number>, value: number): number {
  let i = 0;
  while (i < cuts.length && value >= (cuts[i] as number)) i++;
  return i;
}

/**
 * Monotone binning of one feature over the training rows: fine classing into groups of roughly equal
 * size, pool-adjacent-violators merging until the bad rate moves one way only (strictly), then merging
 * of groups that are too small or too many (the adjacent pair that loses the least information value).
 * Missing values (NaN) are counted apart. Merging neighbours of a strictly monotone sequence keeps it
 * strictly monotone, so every step preserves the direction.
 */
export function binFeature(
  values: Float64Array,
  labels: Uint8Array,
  rows: Uint32Array,
  options: BinningOptions,
): Binning {
  const goods: number[] = [];
  const bads: number[] = [];
  const missing = { count: 0, bad: 0 };
  for (const row of rows) {
    const value = values[row] as number;
    const bad = labels[row] === 1;
    if (Number.isNaN(value)) {
      missing.count++;
      if (bad) missing.bad++;
    } else (bad ? bads : goods).push(value);
  }
  const totalGood = goods.length;
  const totalBad = bads.length;
  const fine = fineGroups(Float64Array.from(goods).sort(), Float64Array.from(bads).sort(), options);

  const candidates: RiskDirection[] =
    options.riskDirection === "auto" ? ["increasing", "decreasing"] : [options.riskDirection];
  let best: { direction: RiskDirection; groups: Group[]; iv: number } | null = null;
  for (const direction of candidates) {
    const groups = coarseGroups(poolAdjacentViolators(fine, direction), totalGood, totalBad, options);
    const iv = informationValue(groups, totalGood, totalBad);
    if (best === null || iv > best.iv) best = { direction, groups, iv };
  }
  if (best === null) throw new Error("no binning candidate");
  const cuts = best.groups.slice(1).map((group) => group.lower);
  return { direction: best.direction, cuts, groups: best.groups, missing };
}

/**
 * Fine classing: boundaries every `fineShare` of the rows (by distinct value), each rounded to two
 * significant digits so a bin reads "0.35" rather than "0.3481", then the values regrouped by them.
 * `pooledFrom` is always a boundary and no boundary lies above it.
 */
function fineGroups(goods: Float64Array, bads: Float64Array, options: BinningOptions): Group[] {
  const distinct = distinctValues(goods, bads);
  const total = goods.length + bads.length;
  const target = Math.max(1, Math.ceil(total * options.fineShare));
  const pooledFrom = options.pooledFrom;
  const boundaries = new Set<number>();
  let accumulated = 0;
  for (const { value, count } of distinct) {
    if (accumulated >= target) {
      boundaries.add(roundCut(value));
      accumulated = 0;
    }
    accumulated += count;
  }
  if (pooledFrom !== undefined) boundaries.add(pooledFrom);
  const lowest = distinct[0]?.value ?? 0;
  const cuts = [...boundaries]
    .filter((cut) => cut > lowest && (pooledFrom === undefined || cut <= pooledFrom))
    .sort((a, b) => a - b);

  const groups: Group[] = [];
  let current: Group | null = null;
  let currentIndex = -1;
  for (const { value, count, bad } of distinct) {
    const index = binIndex(cuts, value);
    if (current === null || index !== currentIndex) {
      current = {
        lower: index === 0 ? value : (cuts[index - 1] as number),
        min: value,
        max: value,
        count: 0,
        bad: 0,
      };
      currentIndex = index;
      groups.push(current);
    }
    current.max = value;
    current.count += count;
    current.bad += bad;
  }
  const last = groups[groups.length - 1];
  const previous = groups[groups.length - 2];
  if (last && previous && last.count < target && (pooledFrom === undefined || last.lower < pooledFrom)) {
    groups.pop();
    mergeInto(previous, last);
  }
  return groups;
}

function distinctValues(
  goods: Float64Array,
  bads: Float64Array,
): { value: number; count: number; bad: number }[] {
  const distinct: { value: number; count: number; bad: number }[] = [];
  let g = 0;
  let b = 0;
  while (g < goods.length || b < bads.length) {
    const value = Math.min(goods[g] ?? Number.POSITIVE_INFINITY, bads[b] ?? Number.POSITIVE_INFINITY);
    const entry = { value, count: 0, bad: 0 };
    while (g < goods.length && goods[g] === value) {
      g++;
      entry.count++;
    }
    while (b < bads.length && bads[b] === value) {
      b++;
      entry.count++;
      entry.bad++;
    }
    distinct.push(entry);
  }
  return distinct;
}

/** Two significant digits: 0.3481 → 0.35, 3314 → 3300, 62 → 62. */
export function roundCut(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(2));
}

function mergeInto(target: Group, other: Group): void {
  target.lower = Math.min(target.lower, other.lower);
  target.min = Math.min(target.min, other.min);
  target.max = Math.max(target.max, other.max);
  target.count += other.count;
  target.bad += other.bad;
}

const badRate = (group: Group): number => group.bad / group.count;

/** Pool adjacent violators: merge neighbours until the bad rate is strictly monotone in `direction`. */
export function poolAdjacentViolators(groups: readonly Group[], direction: RiskDirection): Group[] {
  const sign = direction === "increasing" ? 1 : -1;
  const stack: Group[] = [];
  for (const group of groups) {
    stack.push({ ...group });
    while (stack.length >= 2) {
      const top = stack[stack.length - 1] as Group;
      const below = stack[stack.length - 2] as Group;
      if (sign * (badRate(top) - badRate(below)) > 0) break;
      stack.pop();
      mergeInto(below, top);
    }
  }
  return stack;
}

function coarseGroups(
  groups: Group[],
  totalGood: number,
  totalBad: number,
  options: BinningOptions,
): Group[] {
  const minCount = Math.ceil((totalGood + totalBad) * options.minShare);
  const tooSmall = (group: Group): boolean =>
    group.count < minCount || group.bad < options.minBad || group.count - group.bad < options.minGood;
  const bins = groups.map((group) => ({ ...group }));
  for (;;) {
    if (bins.length < 2) break;
    let smallest = -1;
    for (let i = 0; i < bins.length; i++) {
      const bin = bins[i] as Group;
      if (tooSmall(bin) && (smallest < 0 || bin.count < (bins[smallest] as Group).count)) smallest = i;
    }
    if (smallest < 0) break;
    const bin = bins[smallest] as Group;
    const left = bins[smallest - 1];
    const right = bins[smallest + 1];
    const useLeft =
      left !== undefined &&
      (right === undefined ||
        Math.abs(badRate(left) - badRate(bin)) <= Math.abs(badRate(right) - badRate(bin)));
    mergeAt(bins, useLeft ? smallest - 1 : smallest);
  }
  while (bins.length > options.maxBins) {
    let bestAt = 0;
    let bestIv = Number.NEGATIVE_INFINITY;
    for (let i = 0; i + 1 < bins.length; i++) {
      const trial = bins.map((group) => ({ ...group }));
      mergeAt(trial, i);
      const iv = informationValue(trial, totalGood, totalBad);
      if (iv > bestIv) {
        bestIv = iv;
        bestAt = i;
      }
    }
    mergeAt(bins, bestAt);
  }
  return bins;
}

/** Merges bins[i + 1] into bins[i]. */
function mergeAt(bins: Group[], i: number): void {
  mergeInto(bins[i] as Group, bins[i + 1] as Group);
  bins.splice(i + 1, 1);
}

/** A bin as people read it: "2–3", "≥ 4" for whole numbers, "[0.35, 0.5)" otherwise. */
export function binLabel(lower: number | null, upper: number | null, integer: boolean): string {
  if (lower === null && upper === null) return "any";
  if (lower === null) return integer ? `≤ ${(upper as number) - 1}` : `< ${upper}`;
  if (upper === null) return `≥ ${lower}`;
  if (!integer) return `[${lower}, ${upper})`;
  return upper - lower === 1 ? `${lower}` : `${lower}–${upper - 1}`;
}
