/**
 * Grants a role from the shell: `bun run user:role <email> <role>`. This is how the first admin is made.
 * On the embedded database it must run while the server is stopped (PGlite is single-process).
 */
import { eq } from "drizzle-orm";
import { connectDatabase, migrateDatabase } from "../db/client";
import { userRoles, users } from "../db/schema";
import { setUserRole } from "../server/admin/users";
import { installAuditKey } from "../server/audit/key";
import { ConfigError, loadConfig } from "../server/config";
import { claimDataDir } from "../server/data-dir-lock";
import { databaseTarget } from "../server/database-target";
import { withServerKeys } from "../server/server-keys";

const [email, role] = process.argv.slice(2);
if (!email || !role || !(userRoles as readonly string[]).includes(role)) {
  console.error(`usage: bun run user:role <email> <${userRoles.join("|")}>`);
  process.exit(2);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
let release = () => {};
if (!config.DATABASE_URL) {
  try {
    release = claimDataDir(config.DATA_DIR);
  } catch (error) {
    console.error(
      `${(error as Error).message}\nThe embedded database can only be changed while the server is stopped.`,
    );
    process.exit(1);
  }
}
try {
  // The grant is audited: the entry is chained under the same key as the server's.
  installAuditKey(withServerKeys(config).config.AUDIT_HMAC_KEY);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  release();
  process.exit(1);
}
const connection = await connectDatabase(databaseTarget(config));
try {
  await migrateDatabase(connection);
  const [user] = await connection.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, email.trim().toLowerCase()));
  if (!user) {
    console.error(`No user with email ${email}`);
    process.exitCode = 1;
  } else {
    const updated = await setUserRole(
      connection.db,
      { actorId: null, ip: null, requestId: "cli:user-role" },
      { userId: user.id, role: role as (typeof userRoles)[number] },
    );
    console.log(`${updated.email} is now ${updated.role}`);
  }
} finally {
  await connection.close();
  release();
}
