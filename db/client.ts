import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema";
import { withDeadline } from "./unavailable";

/** One handle type for both drivers; a transaction is one too, so domain functions accept either. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** What the pool is doing right now, for the metrics. */
export type DatabaseActivity = {
  /** Connections the pool may open (1 for the embedded database). */
  poolMax: number;
  /** Statements sent and not yet answered, outside transactions. */
  queriesInFlight: number;
  /** Transactions open; each holds a connection until it ends. */
  transactionsOpen: number;
};

export type DatabaseConnection =
  | { driver: "pglite"; db: Database; pglite: PGlite; activity: DatabaseActivity; close(): Promise<void> }
  | {
      driver: "postgres";
      db: Database;
      client: postgres.Sql;
      url: string;
      /** Where migrations run: a direct connection when `url` is a transaction pooler (PgBouncer). */
      migrationUrl: string;
      activity: DatabaseActivity;
      close(): Promise<void>;
    };

export type DatabaseTarget =
  | {
      url: string;
      migrationUrl?: string;
      poolMax?: number;
      /**
       * `url` is a transaction pooler (PgBouncer pool_mode=transaction): consecutive statements may reach different
       * server connections, so nothing may be prepared by name, and nothing may be pipelined (a pooler before
       * PgBouncer 1.21 hands a connection on after the first answer while a second statement still waits on it).
       */
      transactionPooler?: boolean;
      /**
       * The longest a statement or transaction waits for the server (DB_REQUEST_TIMEOUT_MS), opening a connection
       * included: past it the caller gets DatabaseTimeoutError, so a request answers 503 instead of hanging.
       */
      requestTimeoutMs?: number;
    }
  | { dataDir: string }
  | { memory: true };

const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
/** 50 ms doubling to half a second: a refused connection is cheap to retry, and the pool is back soon after the server. */
const reconnectDelaySeconds = (retries: number) => Math.min(0.05 * 2 ** retries, 0.5);
const migrationsFolder = resolve(import.meta.dir, "migrations");
// Any constant works; it only has to be the same for every instance that migrates this database.
const MIGRATION_LOCK_KEY = 7_342_001;

export async function connectDatabase(target: DatabaseTarget): Promise<DatabaseConnection> {
  if ("url" in target) {
    const pooled = target.transactionPooler ? { prepare: false, max_pipeline: 0 } : {};
    const timeoutMs = target.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const client = postgres(target.url, {
      max: target.poolMax ?? 10,
      onnotice: () => {},
      connect_timeout: timeoutMs / 1000,
      // A query waits out the reconnect delay before its connection even tries; the default grows to 20 s, longer
      // than a request may wait, and holds the pool back that long after the server returns.
      backoff: reconnectDelaySeconds,
      ...pooled,
    });
    const activity = instrument(client, timeoutMs);
    const db = drizzlePostgres(client, { schema }) as unknown as Database;
    return {
      driver: "postgres",
      db,
      client,
      url: target.url,
      migrationUrl: target.migrationUrl ?? target.url,
      activity,
      close: () => client.end({ timeout: 5 }),
    };
  }
  let pglite: PGlite;
  if ("dataDir" in target) {
    const folder = join(resolve(target.dataDir), "pglite");
    mkdirSync(folder, { recursive: true });
    pglite = await PGlite.create(folder);
  } else {
    pglite = await PGlite.create();
  }
  const db = drizzlePglite(pglite, { schema }) as unknown as Database;
  const activity = { poolMax: 1, queriesInFlight: 0, transactionsOpen: 0 };
  return { driver: "pglite", db, pglite, activity, close: () => pglite.close() };
}

/**
 * Counts what drizzle has in flight on the pool: postgres.js keeps its connection queues private, and these two
 * numbers against `max` are what an operator needs to see a pool that is too small. It also puts the deadline on
 * every statement and transaction: awaiting one races it against `timeoutMs`.
 */
function instrument(client: postgres.Sql, timeoutMs: number): DatabaseActivity {
  const activity: DatabaseActivity = { poolMax: client.options.max, queriesInFlight: 0, transactionsOpen: 0 };
  const unsafe = client.unsafe.bind(client);
  client.unsafe = ((...args: Parameters<typeof unsafe>) => {
    const query = unsafe(...args);
    activity.queriesInFlight += 1;
    const done = () => {
      activity.queriesInFlight -= 1;
    };
    // postgres.js sends a query on its first `then`, a microtask later: drizzle's `.values()` still applies.
    query.then(done, done);
    const send = query.then.bind(query);
    // Only the awaiting caller is bounded; the query object keeps its other methods (drizzle calls `.values()`).
    // biome-ignore lint/suspicious/noThenProperty: the query is a thenable on purpose; its awaiting gets the deadline
    Object.defineProperty(query, "then", {
      value: ((onAnswer, onFailure) =>
        withDeadline(
          new Promise<Awaited<typeof query>>((resolve, reject) => send(resolve, reject)),
          timeoutMs,
        ).then(onAnswer, onFailure)) as typeof query.then,
    });
    return query;
  }) as typeof client.unsafe;
  const begin = client.begin.bind(client);
  client.begin = (async (...args: Parameters<typeof begin>) => {
    activity.transactionsOpen += 1;
    try {
      return await withDeadline(begin(...args), timeoutMs);
    } finally {
      activity.transactionsOpen -= 1;
    }
  }) as typeof client.begin;
  return activity;
}

/**
 * Applies pending migrations; on a shared server an advisory lock keeps two starting instances apart. The lock is
 * session-level, so this runs over `migrationUrl`: a direct connection, never a transaction pooler.
 */
export async function migrateDatabase(connection: DatabaseConnection): Promise<void> {
  if (connection.driver === "pglite") {
    await migratePglite(drizzlePglite(connection.pglite), { migrationsFolder });
    return;
  }
  // One dedicated connection, so the session-level lock and the migration share it.
  const client = postgres(connection.migrationUrl, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres(client), { migrationsFolder });
  } finally {
    await client.end({ timeout: 5 });
  }
}

export async function pingDatabase(db: Database): Promise<void> {
  await db.execute(sql`select 1`);
}
