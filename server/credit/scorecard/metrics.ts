export type Discrimination = { auc: number; gini: number; ks: number };

/**
 * AUC, Gini (2·AUC − 1) and Kolmogorov–Smirnov of a score where a higher value means a safer borrower
 * (label 1 = bad). AUC is the Mann–Whitney probability that a random good outscores a random bad,
 * ties counting one half; KS is the largest gap between the cumulative bad and good shares over all
 * score thresholds.
 */
export function discrimination(scores: ArrayLike<number>, labels: ArrayLike<number>): Discrimination {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number) || a - b,
  );
  let totalBad = 0;
  for (let i = 0; i < n; i++) totalBad += labels[i] === 1 ? 1 : 0;
  const totalGood = n - totalBad;
  if (totalBad === 0 || totalGood === 0) throw new RangeError("discrimination needs goods and bads");

  let goodsBelow = 0;
  let pairs = 0;
  let cumBad = 0;
  let cumGood = 0;
  let ks = 0;
  for (let start = 0; start < n; ) {
    const value = scores[order[start] as number] as number;
    let end = start;
    let bad = 0;
    while (end < n && scores[order[end] as number] === value) {
      bad += labels[order[end] as number] === 1 ? 1 : 0;
      end++;
    }
    const good = end - start - bad;
    // Each bad here is outscored by every good above this value and ties half with the goods here.
    pairs += bad * (totalGood - goodsBelow - good) + 0.5 * bad * good;
    goodsBelow += good;
    cumBad += bad;
    cumGood += good;
    ks = Math.max(ks, Math.abs(cumBad / totalBad - cumGood / totalGood));
    start = end;
  }
  const auc = pairs / (totalBad * totalGood);
  return { auc, gini: 2 * auc - 1, ks };
}
