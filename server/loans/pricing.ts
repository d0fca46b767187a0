import type { PricingTable } from "../pricing-table";
import type { ScoreBand } from "../score-bands";

export function aprForBand(table: PricingTable, band: ScoreBand): number {
  return table[band];
}
