import { and, asc, count, eq, gte, lt, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../../db/client";
import { creditScores, loans, modelMonitoringRuns } from "../../../db/schema";
import { DomainError, invalidInput } from "../../errors";
import { type ScoreBand, scoreBandSchema } from "../../score-bands";
import type { LoadedEngine } from "../engine";
import type { ModelArtifact } from "../gbdt/artifact";
import {
  PSI_ACT,
  PSI_WATCH,
  stabilityFlagSchema,
  stabilityResultSchema,
  stabilityTally,
  worstFlag,
} from "./stability";

const DAY_MS = 86_400_000;
/** Rows read at a time: memory stays bounded whatever the window holds. */
const PAGE = 5_000;

const rate = z.number().min(0).max(1).nullable();

export const bandOutcomeSchema = z.object({
  band: scoreBandSchema,
  scores: z.number().int(),
  /** Loan applications priced with a score of the window in this band. */
  applications: z.number().int(),
  /** Applications decided (not pending, not withdrawn), approved among them, and the share. */
  decided: z.number().int(),
  approved: z.number().int(),
  approvalRate: rate,
  /** Approved loans closed with an outcome (repaid or defaulted), defaulted among them, and the share. */
  withOutcome: z.number().int(),
  defaulted: z.number().int(),
  defaultRate: rate,
});

export const monitoringReportSchema = stabilityResultSchema.extend({
  modelVersion: z.string(),
  window: z.object({ from: z.date(), to: z.date() }),
  thresholds: z.object({ watch: z.literal(PSI_WATCH), act: z.literal(PSI_ACT) }),
  /** The worst flag of the score and the features; null when the window held no score. */
  flag: stabilityFlagSchema.nullable(),
  bands: z.array(bandOutcomeSchema),
});
export type MonitoringReport = z.infer<typeof monitoringReportSchema>;

export type MonitoringDeps = { scoring: LoadedEngine };

export type ModelMonitoringParams = { from?: Date; to?: Date; now?: Date };

/** The artifact being monitored: monitoring compares with the boosted trees' training population. */
function monitoredModel(scoring: LoadedEngine): ModelArtifact {
  if (scoring.engine !== "model") {
    throw new DomainError(
      "unavailable",
      "MODEL_NOT_LOADED",
      `Monitoring compares the boosted trees' scores with their training population; this server scores with ${scoring.engine}`,
    );
  }
  return scoring.model;
}

/** The window: `to` now by default, `from` seven days before `to`; `from` must come before `to`. */
export function monitoringWindow(params: ModelMonitoringParams): { from: Date; to: Date } {
  const to = params.to ?? params.now ?? new Date();
  const from = params.from ?? new Date(to.getTime() - 7 * DAY_MS);
  if (from.getTime() >= to.getTime()) throw invalidInput("INVALID_WINDOW", "from must be before to");
  return { from, to };
}

const approvedStatuses = ["approved", "disbursed", "repaid", "defaulted"];

/** Applications, decisions and outcomes of the loans priced with the window's scores, by band. */
async function outcomesByBand(db: Database, version: string, from: Date, to: Date) {
  const inWindow = and(
    eq(creditScores.engine, "model"),
    eq(creditScores.modelVersion, version),
    gte(creditScores.calculatedAt, from),
    lt(creditScores.calculatedAt, to),
  );
  const scores = await db
    .select({ band: creditScores.band, n: count() })
    .from(creditScores)
    .where(inWindow)
    .groupBy(creditScores.band);
  const status = sql<string>`${loans.status}::text`;
  const applications = await db
    .select({ band: creditScores.band, status, n: count() })
    .from(loans)
    .innerJoin(creditScores, eq(loans.scoreId, creditScores.id))
    .where(inWindow)
    .groupBy(creditScores.band, loans.status);
  return scoreBandSchema.options.map((band: ScoreBand) => {
    const mine = applications.filter((row) => row.band === band);
    const sum = (statuses: string[]) =>
      mine.filter((row) => statuses.includes(row.status)).reduce((total, row) => total + row.n, 0);
    const decided = sum([...approvedStatuses, "rejected"]);
    const approved = sum(approvedStatuses);
    const withOutcome = sum(["repaid", "defaulted"]);
    const defaulted = sum(["defaulted"]);
    const share = (part: number, whole: number) => (whole === 0 ? null : Number((part / whole).toFixed(6)));
    return {
      band,
      scores: scores.find((row) => row.band === band)?.n ?? 0,
      applications: mine.reduce((total, row) => total + row.n, 0),
      decided,
      approved,
      approvalRate: share(approved, decided),
      withOutcome,
      defaulted,
      defaultRate: share(defaulted, withOutcome),
    };
  });
}

/**
 * Compares the scores the loaded model calculated on the platform in [from, to) with its training population:
 * PSI of the score, characteristic stability of each feature, flags, and approval and default rates by band.
 */
export async function modelMonitoring(
  db: Database,
  deps: MonitoringDeps,
  params: ModelMonitoringParams,
): Promise<MonitoringReport> {
  const model = monitoredModel(deps.scoring);
  const { from, to } = monitoringWindow(params);
  const tally = stabilityTally(model);
  let after: { at: Date; id: string } | null = null;
  for (;;) {
    const rows: { id: string; score: number; inputs: Parameters<typeof tally.add>[1]; at: Date }[] = await db
      .select({
        id: creditScores.id,
        score: creditScores.score,
        inputs: creditScores.inputs,
        at: creditScores.calculatedAt,
      })
      .from(creditScores)
      .where(
        and(
          eq(creditScores.engine, "model"),
          eq(creditScores.modelVersion, model.version),
          gte(creditScores.calculatedAt, from),
          lt(creditScores.calculatedAt, to),
          after
            ? sql`(${creditScores.calculatedAt}, ${creditScores.id}) > (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`
            : undefined,
        ),
      )
      .orderBy(asc(creditScores.calculatedAt), asc(creditScores.id))
      .limit(PAGE);
    for (const row of rows) tally.add(row.score, row.inputs);
    const last = rows[rows.length - 1];
    if (rows.length < PAGE || !last) break;
    after = { at: last.at, id: last.id };
  }
  const stability = tally.result();
  return {
    modelVersion: model.version,
    window: { from, to },
    thresholds: { watch: PSI_WATCH, act: PSI_ACT },
    flag: worstFlag([stability.score.flag, ...stability.features.map((feature) => feature.flag)]),
    ...stability,
    bands: await outcomesByBand(db, model.version, from, to),
  };
}

/** Computes the report and keeps it (the weekly job); returns the report and the stored run's id. */
export async function recordModelMonitoring(
  db: Database,
  deps: MonitoringDeps,
  params: ModelMonitoringParams,
): Promise<{ runId: string; report: MonitoringReport }> {
  const report = await modelMonitoring(db, deps, params);
  const [row] = await db
    .insert(modelMonitoringRuns)
    .values({
      modelVersion: report.modelVersion,
      windowFrom: report.window.from,
      windowTo: report.window.to,
      flag: report.flag,
      figures: JSON.parse(JSON.stringify(report)),
    })
    .returning({ id: modelMonitoringRuns.id });
  if (!row) throw new Error("monitoring run insert returned no row");
  return { runId: row.id, report };
}
