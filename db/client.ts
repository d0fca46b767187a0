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

/** One handle type for both drivers; a transaction is one too, so domain functions accept either. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseConnection =
  | { driver: "pglite"; db: Database; pglite: PGlite; close(): Promise<void> }
  | { driver: "postgres"; db: Database; client: postgres.Sql; url: string; close(): Promise<void> };

export type DatabaseTarget = { url: string } | { dataDir: string } | { memory: true };

const migrationsFolder = resolve(import.meta.dir, "migrations");
// Any constant works; it only has to be the same for every instance that migrates this database.
const MIGRATION_LOCK_KEY = 7_342_001;

export async function connectDatabase(target: DatabaseTarget): Promise<DatabaseConnection> {
  if ("url" in target) {
    const client = postgres(target.url, { max: 10, onnotice: () => {} });
    const db = drizzlePostgres(client, { schema }) as unknown as Database;
    return { driver: "postgres", db, client, url: target.url, close: () => client.end({ timeout: 5 }) };
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
  return { driver: "pglite", db, pglite, close: () => pglite.close() };
}

/** Applies pending migrations; on a shared server an advisory lock keeps two starting instances apart. */
export async function migrateDatabase(connection: DatabaseConnection): Promise<void> {
  if (connection.driver === "pglite") {
    await migratePglite(drizzlePglite(connection.pglite), { migrationsFolder });
    return;
  }
  // One dedicated connection, so the session-level lock and the migration share it.
  const client = postgres(connection.url, { max: 1, onnotice: () => {} });
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
