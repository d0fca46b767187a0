import postgres from "postgres";
import { connectDatabase, type DatabaseConnection, migrateDatabase } from "../../db/client";

/**
 * The suite runs on PGlite in-process by default, or on a real Postgres when TEST_DATABASE_URL is set:
 * then every run gets a fresh database of its own, created here and migrated like production.
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL;

/** A new empty database on the server of `adminUrl` (stale ones from runs over an hour old are dropped). */
export async function createFreshPostgresDatabase(adminUrl: string): Promise<string> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const stale = await admin<{ datname: string }[]>`
      select datname from pg_database
      where datname like 'blockscore_test_%' and datname < ${`blockscore_test_${Date.now() - 3_600_000}`}`;
    for (const { datname } of stale) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    const name = `blockscore_test_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
    await admin.unsafe(`create database "${name}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  } finally {
    await admin.end();
  }
}

/** Drops a database made by `createFreshPostgresDatabase`, closing whatever is still connected to it. */
export async function dropPostgresDatabase(url: string): Promise<void> {
  const adminUrl = new URL(url);
  const name = adminUrl.pathname.slice(1);
  adminUrl.pathname = "/postgres";
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}

export async function createTestDatabase(): Promise<DatabaseConnection> {
  const connection = testDatabaseUrl
    ? await connectDatabase({ url: await createFreshPostgresDatabase(testDatabaseUrl) })
    : await connectDatabase({ memory: true });
  await migrateDatabase(connection);
  return connection;
}

let shared: Promise<DatabaseConnection> | null = null;

/** One database for the whole run; tests keep apart by creating their own users. */
export function sharedTestDatabase(): Promise<DatabaseConnection> {
  shared ??= createTestDatabase();
  return shared;
}
