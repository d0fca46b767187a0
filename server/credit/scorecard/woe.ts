/**
 * Weight of evidence, ln(share of goods / share of bads), positive where a group is safer than average.
 * Half a count is added to each cell so an all-good or all-bad group stays finite.
 */
export function weightOfEvidence(good: number, bad: number, totalGood: number, totalBad: number): number {
  return Math.log((good + 0.5) / totalGood / ((bad + 0.5) / totalBad));
}

/** Information value of a grouping: Σ (good share − bad share) × WoE. */
export function informationValue(
  groups: readonly { count: number; bad: number }[],
  totalGood: number,
  totalBad: number,
): number {
  let iv = 0;
  for (const { count, bad } of groups) {
    const good = count - bad;
    iv += (good / totalGood - bad / totalBad) * weightOfEvidence(good, bad, totalGood, totalBad);
  }
  return iv;
}
