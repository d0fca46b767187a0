/** A seeded 32-bit PRNG (mulberry32): the same seed gives the same stream on every machine. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Split = { train: Uint32Array; holdout: Uint32Array };

/**
 * Stratified train/holdout split: each class is shuffled (Fisher–Yates with the seeded PRNG, goods
 * first, then bads) and `trainShare` of it, rounded, goes to training. Both index lists come back in
 * row order, so the split depends only on the labels, the share and the seed.
 */
export function stratifiedSplit(labels: Uint8Array, trainShare: number, seed: number): Split {
  if (!(trainShare > 0 && trainShare < 1)) throw new RangeError("trainShare must be between 0 and 1");
  const random = mulberry32(seed);
  const train: number[] = [];
  const holdout: number[] = [];
  for (const label of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === label) rows.push(i);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const swap = rows[i] as number;
      rows[i] = rows[j] as number;
      rows[j] = swap;
    }
    const cut = Math.round(rows.length * trainShare);
    for (let i = 0; i < rows.length; i++) (i < cut ? train : holdout).push(rows[i] as number);
  }
  return {
    train: Uint32Array.from(train).sort(),
    holdout: Uint32Array.from(holdout).sort(),
  };
}
