import { type AnyColumn, asc, desc, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { invalidInput } from "./errors";
import { EARLIEST, LATEST } from "./query-inputs";

/**
 * Keyset pagination, the one way lists page: a cursor names the last item of the previous page, so a page
 * never skips or repeats rows written in between. Two cursor kinds: a `seq` (bigint columns) and an opaque
 * time-and-id cursor (rows keyed by a timestamp and a uuid).
 */

/** A page size: 1 to 100, `fallback` when omitted. */
export const pageLimit = (fallback: number) => z.coerce.number().int().min(1).max(100).default(fallback);

/** The `seq` of the last item of the previous page (a bigint column; JavaScript holds it exactly up to 2^53). */
export const seqCursor = z.coerce
  .number({ error: "cursor must be the nextCursor of the previous page" })
  .int("cursor must be the nextCursor of the previous page")
  .positive("cursor must be the nextCursor of the previous page")
  .max(Number.MAX_SAFE_INTEGER, "cursor must be the nextCursor of the previous page")
  .optional()
  .meta({ description: "nextCursor of the previous page" });

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

/** Newest first (descending keys) or oldest first. */
export type PageOrder = "newest" | "oldest";

/** The condition "after the cursor's item" on a (time, id) key, in the page's order. */
export function afterTimeCursor(time: AnyColumn, id: AnyColumn, cursor: string, order: PageOrder): SQL {
  const after = decodeTimeCursor(cursor);
  const key = sql`(${time}, ${id})`;
  const bound = sql`(${after.at}::timestamptz, ${after.id}::uuid)`;
  return order === "newest" ? sql`${key} < ${bound}` : sql`${key} > ${bound}`;
}

/** ORDER BY for a (time, id) key in the page's order. */
export function timeKeyOrder(time: AnyColumn, id: AnyColumn, order: PageOrder): SQL[] {
  const direction = order === "newest" ? desc : asc;
  return [direction(time), direction(id)];
}

/**
 * A page from `limit + 1` rows read in order: the extra row only says another page follows, and the
 * cursor names the page's last item.
 */
export function timeKeyPage<Row extends { id: string }, Item>(
  rows: readonly Row[],
  limit: number,
  timeOf: (row: Row) => Date,
  view: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(view),
    nextCursor: rows.length > limit && last ? encodeTimeCursor(timeOf(last), last.id) : null,
  };
}

/**
 * The page of `limit + 1` rows read in `seq` order, and the cursor to the next (the page's last seq), or null
 * when the extra row did not come.
 */
export function seqPage<Row>(
  rows: readonly Row[],
  limit: number,
  seqOf: (row: Row) => number,
): { page: Row[]; nextCursor: number | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last !== undefined ? seqOf(last) : null };
}
