import { z } from "zod";

/**
 * Inputs that become SQL keys or bounds. Each is checked here against what the column can hold, so a crafted
 * value is a 400 naming the field, never a database error (and a 500).
 */

export const EARLIEST = new Date("1970-01-01T00:00:00Z");
export const LATEST = new Date("9999-12-31T23:59:59Z");

/** A time filter (`from`, `to`): an ISO date or date-time between 1970 and 9999. */
export const timeFilter = z.coerce
  .date({ error: "must be an ISO date or date-time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z" })
  .min(EARLIEST, "must not be before 1970")
  .max(LATEST, "must not be after 9999");
