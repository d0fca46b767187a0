/**
 * `bun run model:train [path-to-csv] [--only model|scorecard] [--out path]` trains the credit models on the
 * Give Me Some Credit training file (default ../shared/data/cs-training.csv next to the repository): the
 * boosted trees (server/credit/model/gbdt.json) and the scorecard (server/credit/model/scorecard.json), or
 * only one of them (`--out` then names its file). Progress goes to stderr; the metrics, training time and
 * artifact size of each to stdout. The same file always gives the same artifacts, byte for byte.
 */
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Evaluation } from "../server/credit/calibration.ts";
import { serializeModel } from "../server/credit/gbdt/artifact.ts";
import { DEFAULT_MODEL_PATH } from "../server/credit/gbdt/load.ts";
import { trainModel } from "../server/credit/gbdt/train.ts";
import { serializeScorecard } from "../server/credit/scorecard/artifact.ts";
import { type CreditDataset, DatasetError, readCreditDataset } from "../server/credit/scorecard/csv.ts";
import { DEFAULT_SCORECARD_PATH } from "../server/credit/scorecard/load.ts";
import { trainScorecard } from "../server/credit/scorecard/train.ts";

const repoRoot = resolve(import.meta.dir, "..");
const DEFAULT_DATA = join(repoRoot, "..", "shared", "data", "cs-training.csv");
const USAGE =
  "usage: bun run model:train [path-to-csv] [--only model|scorecard] [--out path/to/artifact.json]";

type Engine = "model" | "scorecard";
type Args = { data: string; only: Engine | null; out: string | null };

function parseArgs(argv: string[]): Args {
  const args: Args = { data: DEFAULT_DATA, only: null, out: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--out" || arg === "--only") {
      const next = argv[++i];
      if (!next) throw new DatasetError(`${arg} needs a value\n${USAGE}`);
      if (arg === "--out") args.out = resolve(next);
      else if (next === "model" || next === "scorecard") args.only = next;
      else throw new DatasetError(`--only takes model or scorecard, not ${next}\n${USAGE}`);
    } else if (arg === "-h" || arg === "--help") {
      console.log(USAGE);
      process.exit(0);
    } else args.data = resolve(arg);
  }
  if (args.out && !args.only)
    throw new DatasetError(`--out names one artifact: add --only model|scorecard\n${USAGE}`);
  return args;
}

const line = (name: string, m: Evaluation | (Omit<Evaluation, "brier"> & { brier?: number })) =>
  `${name.padEnd(10)} AUC ${m.auc.toFixed(4)}  Gini ${m.gini.toFixed(4)}  KS ${m.ks.toFixed(4)}  ` +
  `Brier ${m.brier === undefined ? "  —   " : m.brier.toFixed(4)}  (${m.rows} rows)`;

async function main(): Promise<void> {
  const { data, only, out } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const elapsed = (from = started) => `${((performance.now() - from) / 1000).toFixed(2)} s`;
  const log = (message: string) => console.error(`[${elapsed()}] ${message}`);

  log(`reading ${data}`);
  const dataset: CreditDataset = await readCreditDataset(data);
  log(`read ${dataset.labels.length} rows, sha256 ${dataset.sha256}`);

  const write = async (path: string, text: string) => {
    await mkdir(dirname(path), { recursive: true });
    await Bun.write(path, text);
    log(`wrote ${path}`);
    return `${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB`;
  };

  for (const engine of only ? [only] : (["model", "scorecard"] as const)) {
    const from = performance.now();
    if (engine === "model") {
      const model = trainModel(dataset, { onProgress: log });
      const time = elapsed(from);
      const size = await write(out ?? DEFAULT_MODEL_PATH, serializeModel(model));
      console.log(`model      ${model.version}  (${model.trees.length} trees; trained in ${time}; ${size})`);
      console.log(line("  holdout", model.metrics.holdout));
      console.log(line("  valid.", model.metrics.validation));
      console.log(line("  train", model.metrics.train));
    } else {
      const scorecard = trainScorecard(dataset, { onProgress: log });
      const time = elapsed(from);
      const size = await write(out ?? DEFAULT_SCORECARD_PATH, serializeScorecard(scorecard));
      console.log(`scorecard  ${scorecard.version}  (trained in ${time}; ${size})`);
      console.log(line("  holdout", scorecard.metrics.holdout));
      console.log(line("  train", scorecard.metrics.train));
    }
  }
  console.log(`time       ${elapsed()}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof DatasetError ? `model:train: ${error.message}` : error);
  process.exit(1);
});
