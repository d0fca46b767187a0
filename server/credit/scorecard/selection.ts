import type { BinnedFeature } from "./feature-bins.ts";
import { woeMatrix } from "./feature-bins.ts";
import { fitLogistic, type LogisticFit } from "./logistic.ts";

export type Exclusion = { id: BinnedFeature["spec"]["id"]; reason: string };
export type ModelFit = { features: BinnedFeature[]; fit: LogisticFit; excluded: Exclusion[] };

/**
 * Chooses the features and fits logit P(bad) on their WoE. A feature below the minimum information
 * value is left out; then, as long as some coefficient has the wrong sign (≥ 0, which would give a
 * riskier bin more points and break monotonicity), the worst one is dropped and the model refitted.
 */
export function fitScorecardModel(
  binned: readonly BinnedFeature[],
  labels: Uint8Array,
  train: Uint32Array,
  options: { minInformationValue: number; ridge: number },
  progress: (message: string) => void,
): ModelFit {
  const excluded: Exclusion[] = [];
  let features = binned.filter((feature) => {
    if (feature.informationValue >= options.minInformationValue) return true;
    const reason = `information value ${feature.informationValue.toFixed(4)} < ${options.minInformationValue}`;
    excluded.push({ id: feature.spec.id, reason });
    progress(`drop ${feature.spec.id}: ${reason}`);
    return false;
  });
  if (features.length === 0) throw new Error("no feature carries enough information to fit a scorecard");
  const y = Uint8Array.from(train, (row) => labels[row] as number);
  const fitOn = (chosen: BinnedFeature[]) =>
    fitLogistic(woeMatrix(chosen, train), y, train.length, chosen.length, { ridge: options.ridge });

  let fit = fitOn(features);
  for (;;) {
    const worst = fit.coefficients.reduce(
      (found, coefficient, j) =>
        coefficient >= 0 && (found < 0 || coefficient > (fit.coefficients[found] as number)) ? j : found,
      -1,
    );
    if (worst < 0) return { features, fit, excluded };
    const dropped = features[worst] as BinnedFeature;
    excluded.push({
      id: dropped.spec.id,
      reason: "coefficient of the wrong sign next to the other features",
    });
    progress(`drop ${dropped.spec.id}: coefficient of the wrong sign, refitting`);
    features = features.filter((_, j) => j !== worst);
    if (features.length === 0) throw new Error("every feature's coefficient had the wrong sign");
    fit = fitOn(features);
  }
}
