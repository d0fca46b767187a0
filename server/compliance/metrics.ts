import { desc } from "drizzle-orm";
import { Gauge } from "prom-client";
import type { Database } from "../../db/client";
import { sanctionsListFetches } from "../../db/schema";
import type { Metrics } from "../metrics";
import { type CaseSettings, countOverdueCases } from "./cases/queries";

/**
 * Compliance gauges, read at scrape time. Every worker reads the same tables, so the figures across workers are
 * the max, not the sum.
 */
export function watchCompliance(metrics: Metrics, db: Database, settings: CaseSettings): void {
  const registers = [metrics.registry];
  new Gauge({
    name: "blockscore_compliance_cases_overdue",
    help: "Compliance cases open or investigating for longer than CASE_SLA_DAYS without a decision",
    registers,
    aggregator: "max",
    async collect() {
      this.set(await countOverdueCases(db, settings).catch(() => 0));
    },
  });
  new Gauge({
    name: "blockscore_sanctions_refresh_failed",
    help: "1 when the latest sanctions list fetch was refused or failed (the list in use stayed), else 0",
    registers,
    aggregator: "max",
    async collect() {
      const [latest] = await db
        .select({ outcome: sanctionsListFetches.outcome })
        .from(sanctionsListFetches)
        .orderBy(desc(sanctionsListFetches.id))
        .limit(1)
        .catch(() => []);
      this.set(latest?.outcome === "failed" ? 1 : 0);
    },
  });
}
