import { z } from "zod";
import { invalidInput } from "./errors";

/**
 * Inputs that become SQL keys or bounds. Each is checked here against what the column can hold, so a crafted
 * value is a 400 naming the field, never a database error (and a 500).
 */

/** The `seq` of the last item of the previous page (a bigint column; JavaScript holds it exactly up to 2^53). */
export const seqCursor = z.coerce
  .number({ error: "cursor must be the nextCursor of the previous page" })
  .int("cursor must be the nextCursor of the previous page")
  .positive("cursor must be the nextCursor of the previous page")
  .max(Number.MAX_SAFE_INTEGER, "cursor must be the nextCursor of the previous page")
  .optional()
  .meta({ description: "nextCursor of the previous page" });

const EARLIEST = new Date("1970-01-01T00:00:00Z");
const LATEST = new Date("9999-12-31T23:59:59Z");

/** A time filter (`from`, `to`): an ISO date or date-time between 1970 and 9999. */
export const timeFilter = z.coerce
  .date({ error: "must be an ISO date or date-time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z" })
  .min(EARLIEST, "must not be before 1970")
  .max(LATEST, "must not be after 9999");

/** An opaque keyset cursor: the last item's time and id, base64url. Only what `encodeTimeCursor` made decodes. */
export function encodeTimeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeTimeCursor(cursor: string): { at: string; id: string } {
  const [at, id, ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const time = at && ISO_TIME.test(at) ? new Date(at) : null;
  if (
    !time ||
    Number.isNaN(time.getTime()) ||
    time < EARLIEST ||
    time > LATEST ||
    !id ||
    !UUID.test(id) ||
    rest.length > 0
  ) {
    throw invalidInput("INVALID_CURSOR", "cursor is not one this endpoint returned");
  }
  return { at: time.toISOString(), id };
}
