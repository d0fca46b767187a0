/**
 * PgBouncer (the Debian package) in transaction pooling mode in front of the test Postgres server, as large
 * deployments put it between many instances and Postgres. It refuses to run as root, so it runs as `postgres`.
 */
import { chownSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { freePort } from "./processes";

export function pgbouncerBinary(): string | null {
  return Bun.which("pgbouncer") ?? (existsSync("/usr/sbin/pgbouncer") ? "/usr/sbin/pgbouncer" : null);
}

export async function ensurePgbouncer(): Promise<{ binary: string } | { missing: string }> {
  const found = pgbouncerBinary();
  if (found) return { binary: found };
  if (Bun.which("apt-get") && process.getuid?.() === 0) {
    await Bun.spawn(["apt-get", "install", "-y", "-q", "pgbouncer"], { stdout: "ignore", stderr: "ignore" })
      .exited;
    const installed = pgbouncerBinary();
    if (installed) return { binary: installed };
  }
  return { missing: "pgbouncer is not installed and could not be installed (apt-get install pgbouncer)" };
}

export type Pgbouncer = {
  /** `server` with PgBouncer's host and port in place of Postgres's. */
  urlFor(server: string): string;
  log(): string;
  /** Runs a command on PgBouncer's admin console (SHOW POOLS, SHOW STATS, ...). */
  admin<T extends Record<string, unknown>>(command: string): Promise<T[]>;
  stop(): Promise<void>;
};

export async function startPgbouncer(options: {
  binary: string;
  postgresUrl: string;
  poolSize?: number;
}): Promise<Pgbouncer> {
  const target = new URL(options.postgresUrl);
  const folder = mkdtempSync(join(tmpdir(), "blockscore-pgbouncer-"));
  const port = await freePort();
  const user = decodeURIComponent(target.username || "postgres");
  writeFileSync(join(folder, "users.txt"), `"${user}" ""\n`);
  writeFileSync(
    join(folder, "pgbouncer.ini"),
    `[databases]
* = host=${target.hostname} port=${target.port || 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${join(folder, "users.txt")}
admin_users = ${user}
pool_mode = transaction
default_pool_size = ${options.poolSize ?? 8}
max_client_conn = 500
ignore_startup_parameters = extra_float_digits,options
logfile = ${join(folder, "pgbouncer.log")}
`,
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = postgresIds();
    for (const file of ["", "users.txt", "pgbouncer.ini"]) chownSync(join(folder, file), uid, gid);
  }
  const child = Bun.spawn(
    [options.binary, ...(asRoot ? ["-u", "postgres"] : []), join(folder, "pgbouncer.ini")],
    { stdout: "ignore", stderr: "pipe" },
  );
  const url = (server: string) => {
    const pooled = new URL(server);
    pooled.hostname = "127.0.0.1";
    pooled.port = String(port);
    return pooled.toString();
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = postgres(url(`${target.protocol}//${user}@x/pgbouncer`), {
      max: 1,
      prepare: false,
      fetch_types: false,
      onnotice: () => {},
    });
    try {
      await probe.unsafe("SHOW VERSION").simple();
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill("SIGKILL");
        throw new Error(
          `pgbouncer did not start: ${(error as Error).message} ${await new Response(child.stderr).text()}`,
        );
      }
      await Bun.sleep(100);
    } finally {
      await probe.end();
    }
  }
  return {
    urlFor: url,
    log: () => {
      try {
        return readFileSync(join(folder, "pgbouncer.log"), "utf8");
      } catch {
        return "";
      }
    },
    admin: async <T extends Record<string, unknown>>(command: string) => {
      const console = postgres(url(`${target.protocol}//${user}@x/pgbouncer`), {
        max: 1,
        prepare: false,
        fetch_types: false,
        onnotice: () => {},
      });
      try {
        return (await console.unsafe(command).simple()) as unknown as T[];
      } finally {
        await console.end();
      }
    },
    stop: async () => {
      child.kill("SIGINT");
      await child.exited;
    },
  };
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(Bun.spawnSync(["id", flag, "postgres"]).stdout.toString().trim());
  const uid = id("-u");
  if (!Number.isInteger(uid) || uid <= 0)
    throw new Error(`no postgres user to run pgbouncer as (running as ${userInfo().username})`);
  return { uid, gid: id("-g") };
}
