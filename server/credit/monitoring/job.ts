import type { Logger } from "pino";
import type { Database } from "../../../db/client";
import type { Config } from "../../config";
import type { Jobs } from "../../jobs/jobs";
import type { LoadedEngine } from "../engine";
import { recordModelMonitoring } from "./service";

export const MODEL_MONITORING_QUEUE = "credit.model-monitoring";

const WEEK_MS = 7 * 86_400_000;

export type MonitoringScheduleDeps = {
  db: Database;
  logger: Logger;
  config: Pick<Config, "MODEL_MONITORING_CRON">;
  jobs: Jobs;
  scoring: LoadedEngine;
};

export type MonitoringRunParams = { now: Date };

/**
 * One weekly run: the seven days up to `now` against the training population, kept in model_monitoring_runs; a
 * flag ("watch" or "act") on the score or any feature is logged as a warning. Null when no model is loaded.
 */
export async function runModelMonitoring(
  db: Database,
  deps: Pick<MonitoringScheduleDeps, "scoring" | "logger">,
  params: MonitoringRunParams,
) {
  if (deps.scoring.engine !== "model") {
    deps.logger.info({ engine: deps.scoring.engine }, "model monitoring skipped: no boosted trees loaded");
    return null;
  }
  const from = new Date(params.now.getTime() - WEEK_MS);
  const { runId, report } = await recordModelMonitoring(db, deps, { from, to: params.now });
  const flagged = [
    ...(report.score.flag && report.score.flag !== "stable"
      ? [{ what: "score", psi: report.score.psi, flag: report.score.flag }]
      : []),
    ...report.features
      .filter((feature) => feature.flag && feature.flag !== "stable")
      .map((feature) => ({ what: feature.id, psi: feature.psi, flag: feature.flag })),
  ];
  const summary = { runId, modelVersion: report.modelVersion, scores: report.scores, flag: report.flag };
  if (flagged.length > 0) {
    deps.logger.warn({ ...summary, flagged }, "model monitoring: population shift flagged");
  } else {
    deps.logger.info(summary, "model monitoring run");
  }
  return { runId, report };
}

/** Registers the weekly run as a pg-boss cron schedule (one run per occurrence across instances) and its worker. */
export async function startModelMonitoringSchedule(deps: MonitoringScheduleDeps): Promise<void> {
  const { jobs, config } = deps;
  const logger = deps.logger.child({ component: MODEL_MONITORING_QUEUE });
  await jobs.ensureQueue(MODEL_MONITORING_QUEUE, { policy: "exclusive", retryLimit: 2, retryDelay: 300 });
  await jobs.boss.schedule(MODEL_MONITORING_QUEUE, config.MODEL_MONITORING_CRON, {}, { tz: "UTC" });
  await jobs.work(MODEL_MONITORING_QUEUE, async () => {
    const run = await runModelMonitoring(deps.db, { scoring: deps.scoring, logger }, { now: new Date() });
    return run && { runId: run.runId, flag: run.report.flag, scores: run.report.scores };
  });
}
