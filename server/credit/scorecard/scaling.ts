/**
 * Points-to-double-odds scaling: score = offset + factor · ln(odds of good), factor = PDO / ln 2,
 * offset = baseScore − factor · ln(baseOdds). So `baseScore` means odds of `baseOdds` : 1 good to bad,
 * and every `pdo` points double those odds.
 */
export type Scaling = { pdo: number; baseScore: number; baseOdds: number; factor: number; offset: number };

export function scaling(pdo: number, baseScore: number, baseOdds: number): Scaling {
  const factor = pdo / Math.LN2;
  return { pdo, baseScore, baseOdds, factor, offset: baseScore - factor * Math.log(baseOdds) };
}

/**
 * Integer points of one bin. The model is logit P(bad) = b0 + Σ bj · WoEj, so ln(odds of good) =
 * −b0 − Σ bj · WoEj; each of the `features` features carries its share of −b0 and of the offset, and
 * the bin's points are that share plus −factor · bj · WoE, rounded.
 */
export function binPoints(
  woe: number,
  coefficient: number,
  intercept: number,
  features: number,
  scale: Scaling,
): number {
  return Math.round(-scale.factor * coefficient * woe + (scale.offset - scale.factor * intercept) / features);
}
