import { type BinnedData, type GrownTree, round, TreeGrower, type TreeParams } from "./tree.ts";

export type BoostParams = TreeParams & {
  maxTrees: number;
  /** Stop when the validation log-loss has not improved for this many trees; keep the best prefix. */
  earlyStoppingRounds: number;
};

export type BoostResult = {
  /** Log-odds of bad before any tree: the fitting rows' bad rate. */
  baseMargin: number;
  trees: GrownTree[];
  /** Validation log-loss after each tree (index 0: after the first). */
  validationLoss: number[];
  bestIteration: number;
};

/** The tree's leaf for a binned row. */
export function leafOf(tree: GrownTree, data: BinnedData, row: number): number {
  let node = 0;
  while ((tree.feature[node] as number) >= 0) {
    const feature = tree.feature[node] as number;
    const code = data.codes[feature * data.rows + row] as number;
    const goesLeft =
      code === (data.missingBin[feature] as number)
        ? tree.missingLeft[node]
        : code < (tree.bin[node] as number);
    node = (goesLeft ? tree.left[node] : tree.right[node]) as number;
  }
  return node;
}

const sigmoid = (margin: number) => 1 / (1 + Math.exp(-margin));

function logLoss(margins: Float64Array, labels: Uint8Array, rows: Uint32Array): number {
  let loss = 0;
  for (const row of rows) {
    const m = margins[row] as number;
    // log(1 + e^m) − y·m, computed stably.
    const softplus = m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
    loss += softplus - (labels[row] as number) * m;
  }
  return loss / rows.length;
}

/**
 * Gradient boosting of the logistic loss: each tree fits the gradients and hessians of the current margins
 * on the fitting rows; the validation rows' log-loss picks how many trees to keep. Rows are indices into
 * `data` (all rows binned together). Deterministic: no sampling, a fixed order of every sum.
 */
export function boost(
  data: BinnedData,
  labels: Uint8Array,
  fit: Uint32Array,
  validation: Uint32Array,
  params: BoostParams,
  progress: (message: string) => void = () => {},
): BoostResult {
  let bad = 0;
  for (const row of fit) bad += labels[row] as number;
  const baseMargin = round(Math.log(bad / (fit.length - bad)), params.valueDecimals);
  const margins = new Float64Array(data.rows).fill(baseMargin);
  const gradient = new Float64Array(data.rows);
  const hessian = new Float64Array(data.rows);
  const grower = new TreeGrower(data, params);
  const index = new Uint32Array(fit.length);
  const trees: GrownTree[] = [];
  const validationLoss: number[] = [];
  let best = { loss: validation.length > 0 ? logLoss(margins, labels, validation) : 0, iteration: 0 };

  for (let t = 0; t < params.maxTrees; t++) {
    for (const row of fit) {
      const p = sigmoid(margins[row] as number);
      gradient[row] = p - (labels[row] as number);
      hessian[row] = p * (1 - p);
    }
    index.set(fit);
    const tree = grower.grow(index, fit.length, gradient, hessian);
    trees.push(tree);
    for (const rows of [fit, validation]) {
      for (const row of rows) {
        margins[row] = (margins[row] as number) + (tree.value[leafOf(tree, data, row)] as number);
      }
    }
    if (validation.length === 0) {
      best = { loss: 0, iteration: t + 1 };
      continue;
    }
    const loss = logLoss(margins, labels, validation);
    validationLoss.push(loss);
    if (loss < best.loss) best = { loss, iteration: t + 1 };
    if ((t + 1) % 50 === 0) progress(`tree ${t + 1}: validation log-loss ${loss.toFixed(6)}`);
    if (t + 1 - best.iteration >= params.earlyStoppingRounds) break;
  }
  return { baseMargin, trees: trees.slice(0, best.iteration), validationLoss, bestIteration: best.iteration };
}
