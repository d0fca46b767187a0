import { describe, expect, it } from "bun:test";
import { sql } from "drizzle-orm";
import { connectDatabase } from "../../db/client";
import { DatabaseTimeoutError } from "../../db/unavailable";
import { testDatabaseUrl } from "../helpers/database";

/** What a query failed with (drizzle's queries are thenables, not promises). */
const failureOf = (query: PromiseLike<unknown>) =>
  Promise.resolve(query).then(
    () => null,
    (error: unknown) => error,
  );

describe.skipIf(!testDatabaseUrl)("DB_REQUEST_TIMEOUT_MS on Postgres (runs with TEST_DATABASE_URL)", () => {
  it("stops a request waiting on a statement or a transaction past the deadline, and the pool works again after", async () => {
    const connection = await connectDatabase({
      url: testDatabaseUrl as string,
      poolMax: 2,
      requestTimeoutMs: 1000,
    });
    try {
      const started = performance.now();
      const statement = (await failureOf(connection.db.execute(sql`select pg_sleep(4)`))) as Error;
      expect(statement.cause).toBeInstanceOf(DatabaseTimeoutError);
      // Answered at the deadline, not when the statement ended (a generous bound for a loaded machine).
      expect(performance.now() - started).toBeLessThan(3800);
      const transaction = await failureOf(
        connection.db.transaction(async (tx) => {
          await tx.execute(sql`select pg_sleep(4)`);
        }),
      );
      expect(transaction).toBeInstanceOf(DatabaseTimeoutError);
      // The abandoned statements keep their connections (and what postgres.js pipelined behind them) until they
      // end; then the pool answers again, with nothing to reset.
      let answered = false;
      const deadline = Date.now() + 20_000;
      while (!answered && Date.now() < deadline) {
        answered = (await failureOf(connection.db.execute(sql`select 1`))) === null;
      }
      expect(answered).toBe(true);
    } finally {
      await connection.close();
    }
  }, 30_000);

  it("gives up on a server that does not answer at once", async () => {
    // Port 1 refuses at once: the request fails fast, well inside the deadline.
    const connection = await connectDatabase({
      url: "postgres://postgres@127.0.0.1:1/postgres",
      requestTimeoutMs: 2000,
    });
    try {
      const started = performance.now();
      expect(await failureOf(connection.db.execute(sql`select 1`))).toMatchObject({
        cause: { code: "ECONNREFUSED" },
      });
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await connection.close();
    }
  });
});
