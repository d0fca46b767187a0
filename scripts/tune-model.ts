/**
 * `bun scripts/tune-model.ts [path-to-csv]` grids the boosted trees' main settings and prints, for each, the
 * trees kept by early stopping and the AUC on the validation part of the training data — the holdout is not
 * read. The committed settings (MODEL_TRAINING.boosting) follow the rule printed at the end: the smallest
 * ensemble (fewest nodes, the cost of explaining a score) within 0.001 of the best validation AUC, a gap
 * within the noise of 21,000 validation rows. docs/credit.md has the last run.
 */
import { join, resolve } from "node:path";
import { type BoostResult, boost, leafOf } from "../server/credit/gbdt/boost.ts";
import { MODEL_TRAINING, prepareModelData } from "../server/credit/gbdt/train.ts";
import { readCreditDataset } from "../server/credit/scorecard/csv.ts";
import { discrimination } from "../server/credit/scorecard/metrics.ts";

const data = resolve(
  process.argv[2] ?? join(import.meta.dir, "..", "..", "shared", "data", "cs-training.csv"),
);
const GRID = {
  maxDepth: [3, 4, 5],
  learningRate: [0.05, 0.1],
  minChildRows: [20, 50, 200],
  lambda: [1, 5],
};

const dataset = await readCreditDataset(data);
const prepared = prepareModelData(dataset);
const { fit, validation } = prepared;
const labels = Uint8Array.from(validation, (row) => dataset.labels[row] as number);
const TOLERANCE = 0.001;

/** AUC of the trees' margin on the validation rows (higher margin = riskier, so it is negated). */
function validationAuc(result: BoostResult): number {
  const margins = Float64Array.from(validation, (row) => {
    let margin = result.baseMargin;
    for (const tree of result.trees) margin += tree.value[leafOf(tree, prepared.data, row)] as number;
    return -margin;
  });
  return discrimination(margins, labels).auc;
}
const rows: { settings: string; trees: number; nodes: number; auc: number; seconds: number }[] = [];

console.log("| depth | learning rate | rows per leaf | L2 | trees | nodes | validation AUC | seconds |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const maxDepth of GRID.maxDepth) {
  for (const learningRate of GRID.learningRate) {
    for (const minChildRows of GRID.minChildRows) {
      for (const lambda of GRID.lambda) {
        const started = performance.now();
        const params = { ...MODEL_TRAINING.boosting, maxDepth, learningRate, minChildRows, lambda };
        const result = boost(prepared.data, dataset.labels, fit, validation, params);
        const auc = validationAuc(result);
        const seconds = (performance.now() - started) / 1000;
        const settings = `| ${maxDepth} | ${learningRate} | ${minChildRows} | ${lambda}`;
        const nodes = result.trees.reduce((sum, tree) => sum + tree.feature.length, 0);
        rows.push({ settings, trees: result.trees.length, nodes, auc, seconds });
        console.log(
          `${settings} | ${result.trees.length} | ${nodes} | ${auc.toFixed(5)} | ${seconds.toFixed(1)} |`,
        );
      }
    }
  }
}
const best = Math.max(...rows.map((row) => row.auc));
const close = rows.filter((row) => row.auc >= best - TOLERANCE).sort((a, b) => a.nodes - b.nodes);
console.log(`\nwithin ${TOLERANCE} of the best validation AUC (${best.toFixed(5)}), smallest first:`);
for (const row of close)
  console.log(`${row.settings} | ${row.trees} | ${row.nodes} | ${row.auc.toFixed(5)} |`);
const chosen = close[0];
console.log(`chosen: ${chosen?.settings} |`);

// What the business's monotone constraints cost at the committed settings: the same boosting without them.
const free = boost(
  { ...prepared.data, monotone: new Int8Array(prepared.data.monotone.length) },
  dataset.labels,
  fit,
  validation,
  MODEL_TRAINING.boosting,
);
const constrained = boost(prepared.data, dataset.labels, fit, validation, MODEL_TRAINING.boosting);
console.log(
  `committed settings: validation AUC ${validationAuc(constrained).toFixed(5)} with the monotone constraints, ` +
    `${validationAuc(free).toFixed(5)} without`,
);
