/**
 * `bun run model:train [path-to-csv] [--out path]` trains the credit scorecard on the Give Me Some
 * Credit training file (default ../shared/data/cs-training.csv next to the repository) and writes
 * server/credit/model/scorecard.json. Progress goes to stderr, the holdout metrics to stdout. The
 * same file always gives the same artifact, byte for byte.
 */
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { serializeScorecard } from "../server/credit/scorecard/artifact.ts";
import { DatasetError, readCreditDataset } from "../server/credit/scorecard/csv.ts";
import { DEFAULT_SCORECARD_PATH } from "../server/credit/scorecard/load.ts";
import { trainScorecard } from "../server/credit/scorecard/train.ts";

const repoRoot = resolve(import.meta.dir, "..");
const DEFAULT_DATA = join(repoRoot, "..", "shared", "data", "cs-training.csv");

function parseArgs(argv: string[]): { data: string; out: string } {
  let data = DEFAULT_DATA;
  let out = DEFAULT_SCORECARD_PATH;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--out") {
      const next = argv[++i];
      if (!next) throw new Error("--out needs a path");
      out = resolve(next);
    } else if (arg === "-h" || arg === "--help") {
      console.log("usage: bun run model:train [path-to-csv] [--out path/to/scorecard.json]");
      process.exit(0);
    } else data = resolve(arg);
  }
  return { data, out };
}

async function main(): Promise<void> {
  const { data, out } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(2)} s`;
  const log = (message: string) => console.error(`[${elapsed()}] ${message}`);

  log(`reading ${data}`);
  const dataset = await readCreditDataset(data);
  log(`read ${dataset.labels.length} rows, sha256 ${dataset.sha256}`);
  const artifact = trainScorecard(dataset, { onProgress: log });
  await mkdir(dirname(out), { recursive: true });
  await Bun.write(out, serializeScorecard(artifact));
  log(`wrote ${out}`);

  const { holdout, train } = artifact.metrics;
  console.log(`model     ${artifact.version}`);
  console.log(
    `holdout   AUC ${holdout.auc.toFixed(4)}  Gini ${holdout.gini.toFixed(4)}  KS ${holdout.ks.toFixed(4)}  (${holdout.rows} rows)`,
  );
  console.log(
    `train     AUC ${train.auc.toFixed(4)}  Gini ${train.gini.toFixed(4)}  KS ${train.ks.toFixed(4)}  (${train.rows} rows)`,
  );
  console.log(`time      ${elapsed()}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof DatasetError ? `model:train: ${error.message}` : error);
  process.exit(1);
});
