import { createHash } from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import type { Database } from "../../db/client";
import { idempotencyKeys } from "../../db/schema";
import { invalidInput, unprocessable } from "../errors";

const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The key from the tRPC input or the `Idempotency-Key` header (the input wins when both are given).
 * Operations that move money or create a loan refuse to run without one.
 */
export function requireIdempotencyKey(fromInput: string | undefined, fromHeader: string | null): string {
  const key = (fromInput ?? fromHeader ?? "").trim();
  if (key === "") {
    throw invalidInput(
      "IDEMPOTENCY_KEY_REQUIRED",
      "Send an Idempotency-Key header (tRPC: the idempotencyKey input) with a value unique to this request, such as a UUID",
      { field: "Idempotency-Key" },
    );
  }
  if (!KEY.test(key)) {
    throw invalidInput(
      "IDEMPOTENCY_KEY_INVALID",
      "The Idempotency-Key must be 1 to 255 printable ASCII characters without spaces",
      { field: "Idempotency-Key" },
    );
  }
  return key;
}

/** SHA-256 of the request as parsed (amounts in cents), so "1000" and "1000.00" are the same request. */
export function requestHash(request: Record<string, unknown>): string {
  const canonical = JSON.stringify(request, Object.keys(request).sort());
  return createHash("sha256").update(canonical).digest("hex");
}

export type IdempotentCall = {
  userId: string;
  scope: string;
  key: string;
  requestHash: string;
  /** IDEMPOTENCY_TTL_HOURS: an older key is forgotten, and the request is new work. */
  ttlHours: number;
};

const HOUR_MS = 3_600_000;

/** How an answer is kept: as JSON, and read back into the value the procedure returns. */
export type AnswerCodec<T> = { read(stored: unknown): T };

/**
 * Runs `work` at most once per (user, scope, key), in one transaction with the key's row.
 *
 * The key row is inserted first. A concurrent retry's insert waits on the primary key until the first
 * transaction ends: if it committed, the retry finds the stored answer and returns it; if it rolled back (a
 * refusal, an error), the retry's insert goes through and it runs the work itself. So refusals are not
 * stored: a retry after fixing the cause (say, verifying identity) with the same key is evaluated afresh.
 * The same key with a different request is a 422 IDEMPOTENCY_KEY_REUSED. A key older than its TTL is
 * forgotten first (the expiry job deletes them all in bulk; this keeps the rule exact between its runs).
 */
export async function runIdempotent<T>(
  db: Database,
  call: IdempotentCall,
  codec: AnswerCodec<T>,
  work: (tx: Database) => Promise<T>,
): Promise<{ value: T; replayed: boolean }> {
  const { userId, scope, key } = call;
  const where = and(
    eq(idempotencyKeys.userId, userId),
    eq(idempotencyKeys.scope, scope),
    eq(idempotencyKeys.key, key),
  );
  return db.transaction(async (tx) => {
    await tx
      .delete(idempotencyKeys)
      .where(and(where, lt(idempotencyKeys.createdAt, new Date(Date.now() - call.ttlHours * HOUR_MS))));
    const claimed = await tx
      .insert(idempotencyKeys)
      .values({ userId, scope, key, requestHash: call.requestHash })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length === 0) {
      const [stored] = await tx.select().from(idempotencyKeys).where(where);
      if (!stored) throw new Error("idempotency key conflicted but no row is visible");
      if (stored.requestHash !== call.requestHash) {
        throw unprocessable(
          "IDEMPOTENCY_KEY_REUSED",
          "This Idempotency-Key was already used for a different request; use a new key for a new request",
        );
      }
      return { value: codec.read(stored.responseBody), replayed: true };
    }
    const value = await work(tx);
    // Stored as JSON (dates become ISO strings); the codec turns it back into the answer.
    await tx
      .update(idempotencyKeys)
      .set({ responseStatus: 200, responseBody: JSON.parse(JSON.stringify(value)) })
      .where(where);
    return { value, replayed: false };
  });
}
