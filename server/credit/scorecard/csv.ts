import type { ScoreInputs } from "../inputs.ts";

/** The "Give Me Some Credit" training file (Kaggle, 2011), mapped row by row into `ScoreInputs`. */
export type CreditDataset = {
  fileName: string;
  sha256: string;
  bytes: number;
  inputs: ScoreInputs[];
  /** 1 = SeriousDlqin2yrs (bad), 0 = good. */
  labels: Uint8Array;
  quirks: DatasetQuirks;
};

/** Counts of the data quirks met while reading, so the trainer can show how each was handled. */
export type DatasetQuirks = {
  pastDueSentinelRows: number;
  ageZeroRows: number;
  incomeMissingRows: number;
  incomeZeroRows: number;
  dependantsMissingRows: number;
  utilizationCappedRows: number;
  /** Rows equal to an earlier row on every column but the id. */
  duplicateRows: number;
};

const HEADER = [
  "",
  "SeriousDlqin2yrs",
  "RevolvingUtilizationOfUnsecuredLines",
  "age",
  "NumberOfTime30-59DaysPastDueNotWorse",
  "DebtRatio",
  "MonthlyIncome",
  "NumberOfOpenCreditLinesAndLoans",
  "NumberOfTimes90DaysLate",
  "NumberRealEstateLoansOrLines",
  "NumberOfTime60-89DaysPastDueNotWorse",
  "NumberOfDependents",
].join(",");

/** 96 and 98 in the past-due counters are codes, not counts (all three counters hold the same code). */
const PAST_DUE_SENTINELS = new Set([96, 98]);
/** The contract's ceiling for utilisation; the data reaches 50,708, the top bin starts far below. */
const UTILIZATION_CAP = 100;

export class DatasetError extends Error {
  override name = "DatasetError";
}

export async function readCreditDataset(path: string): Promise<CreditDataset> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new DatasetError(`training data not found: ${path}`);
  const bytes = await file.bytes();
  const sha256 = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
  const parsed = parseCreditCsv(new TextDecoder().decode(bytes));
  return { fileName: path.split(/[\\/]/).pop() ?? path, sha256, bytes: bytes.byteLength, ...parsed };
}

/**
 * Parses the CSV (CRLF or LF, `NA` for missing, no quoting) and resolves its quirks:
 * - past-due sentinels 96/98 → `null` (the scorecard's "unknown" bin for those counters);
 * - age 0 → `null`;
 * - `MonthlyIncome` NA → `null`;
 * - `DebtRatio` is a ratio only when income is known and positive; there it becomes
 *   `monthlyDebtPayments = DebtRatio × MonthlyIncome`, elsewhere (where it holds an amount) `null`;
 * - utilisation above 100 is capped at 100 (it lands in the same top bin either way).
 */
export function parseCreditCsv(text: string): Pick<CreditDataset, "inputs" | "labels" | "quirks"> {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines[0] !== HEADER) {
    throw new DatasetError(`unexpected header; expected the Give Me Some Credit columns: ${HEADER}`);
  }
  const rows = lines.length - 1;
  const inputs: ScoreInputs[] = new Array(rows);
  const labels = new Uint8Array(rows);
  const quirks: DatasetQuirks = {
    pastDueSentinelRows: 0,
    ageZeroRows: 0,
    incomeMissingRows: 0,
    incomeZeroRows: 0,
    dependantsMissingRows: 0,
    utilizationCappedRows: 0,
    duplicateRows: 0,
  };
  const seen = new Set<string>();

  for (let r = 0; r < rows; r++) {
    const line = lines[r + 1] as string;
    const withoutId = line.slice(line.indexOf(","));
    if (seen.has(withoutId)) quirks.duplicateRows++;
    else seen.add(withoutId);
    const cells = line.split(",");
    if (cells.length !== 12) throw new DatasetError(`line ${r + 2}: expected 12 fields, got ${cells.length}`);
    const at = (i: number): number | null => {
      const cell = cells[i] as string;
      if (cell === "NA") return null;
      const value = Number(cell);
      if (cell === "" || !Number.isFinite(value))
        throw new DatasetError(`line ${r + 2}: bad number "${cell}"`);
      return value;
    };
    const label = at(1);
    if (label !== 0 && label !== 1) throw new DatasetError(`line ${r + 2}: label must be 0 or 1`);
    labels[r] = label;

    const utilization = at(2) ?? 0;
    if (utilization > UTILIZATION_CAP) quirks.utilizationCappedRows++;
    const age = at(3);
    if (age === 0) quirks.ageZeroRows++;
    const income = at(6);
    if (income === null) quirks.incomeMissingRows++;
    else if (income === 0) quirks.incomeZeroRows++;
    const debtRatio = at(5);
    const dependants = at(11);
    if (dependants === null) quirks.dependantsMissingRows++;

    const late30 = at(4);
    const late60 = at(10);
    const late90 = at(8);
    const sentinel =
      PAST_DUE_SENTINELS.has(late30 ?? -1) ||
      PAST_DUE_SENTINELS.has(late60 ?? -1) ||
      PAST_DUE_SENTINELS.has(late90 ?? -1);
    if (sentinel) quirks.pastDueSentinelRows++;

    inputs[r] = {
      age: age === 0 ? null : age,
      monthlyIncome: income,
      monthlyDebtPayments: income !== null && income > 0 && debtRatio !== null ? debtRatio * income : null,
      revolvingUtilization: Math.min(utilization, UTILIZATION_CAP),
      openCreditLines: at(7),
      realEstateLoans: at(9),
      dependants,
      pastDue30to59: sentinel ? null : late30,
      pastDue60to89: sentinel ? null : late60,
      pastDue90Plus: sentinel ? null : late90,
      creditHistoryYears: null,
      recentInquiries: null,
      walletAgeDays: null,
      walletTxCount: null,
    };
  }
  return { inputs, labels, quirks };
}
