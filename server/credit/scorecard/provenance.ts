import type { DatasetDescription } from "./artifact.ts";
import type { CreditDataset } from "./csv.ts";
import type { Split } from "./split.ts";

/** What the scorecard was trained on, where the data comes from, on what terms, and how its quirks were met. */
export function describeDataset(dataset: CreditDataset, split: Split): DatasetDescription {
  let bad = 0;
  for (const label of dataset.labels) bad += label;
  const { quirks } = dataset;
  return {
    name: 'Give Me Some Credit ("cs-training.csv")',
    publisher: "Kaggle competition",
    year: 2011,
    url: "https://www.kaggle.com/c/GiveMeSomeCredit",
    terms:
      "Kaggle competition data, governed by the competition's rules rather than an open-data licence; " +
      "used here for development, testing and demonstration only.",
    file: dataset.fileName,
    sha256: dataset.sha256,
    bytes: dataset.bytes,
    rows: dataset.labels.length,
    bad,
    trainRows: split.train.length,
    holdoutRows: split.holdout.length,
    quirks: {
      pastDueSentinel: `${quirks.pastDueSentinelRows} rows with 96/98 in the past-due counters: scored in those counters' missing bin`,
      ageZero: `${quirks.ageZeroRows} rows with age 0: age treated as missing`,
      incomeMissing: `${quirks.incomeMissingRows} rows with MonthlyIncome NA: income and debt ratio missing`,
      incomeZero: `${quirks.incomeZeroRows} rows with MonthlyIncome 0: debt ratio missing (DebtRatio holds an amount there)`,
      dependantsMissing: `${quirks.dependantsMissingRows} rows with NumberOfDependents NA: dependants missing`,
      utilizationCapped: `${quirks.utilizationCappedRows} rows with utilisation above 100: capped at 100 (same top bin)`,
      duplicates:
        `${quirks.duplicateRows} rows repeat an earlier row on every column but the id: kept, as they are mostly ` +
        "coarse profiles (e.g. age 22, no debt, income NA) that distinct borrowers plausibly share",
    },
  };
}
