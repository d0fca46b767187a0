/**
 * The fault rig: dependencies the fault tests own, so they can stop, kill and restart them. A private PostgreSQL
 * cluster (the machine's `initdb` and `pg_ctl`, run as the `postgres` user when the tests run as root, data in a
 * temporary folder, a port of its own) and a private `redis-server`. Missing binaries are named, not guessed at.
 */
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { freePort } from "../helpers/processes";

function postgresBinDir(): string | null {
  const fromPgConfig = Bun.which("pg_config")
    ? Bun.spawnSync(["pg_config", "--bindir"]).stdout.toString().trim()
    : "";
  for (const dir of [
    fromPgConfig,
    "/usr/lib/postgresql/17/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/15/bin",
  ]) {
    if (dir && existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) return dir;
  }
  return null;
}

/** Why the rig cannot run here (a sentence naming the missing binary), or null when it can. */
export function missingRigBinary(needs: { postgres?: boolean; redis?: boolean } = {}): string | null {
  if (needs.postgres !== false && !postgresBinDir())
    return "initdb/pg_ctl not found (pg_config --bindir, /usr/lib/postgresql/*/bin): install postgresql";
  if (needs.postgres !== false && process.getuid?.() === 0 && !Bun.which("runuser"))
    return "runuser not found: the private cluster must run as the postgres user";
  if (needs.redis && !Bun.which("redis-server")) return "redis-server not found: install redis-server";
  return null;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary as `postgres` (initdb and the server refuse root). */
function pgCommand(binary: string, args: string[]): string[] {
  const dir = postgresBinDir();
  if (!dir) throw new Error("no PostgreSQL binaries");
  const path = join(dir, binary);
  return asRoot ? ["runuser", "-u", "postgres", "--", path, ...args] : [path, ...args];
}

function run(command: string[]): void {
  const result = Bun.spawnSync(command, { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) {
    throw new Error(`${command.join(" ")} failed: ${result.stderr.toString()}${result.stdout.toString()}`);
  }
}

export type PrivatePostgres = {
  url: string;
  port: number;
  /** `pg_ctl stop -m immediate`: the postmaster and every backend die at once, as in a crash. */
  stopImmediately(): void;
  /** `pg_ctl start -w`: back on the same port with the same data (crash recovery runs first). */
  start(): void;
  log(): string;
  destroy(): void;
};

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const folder = mkdtempSync(join(tmpdir(), "blockscore-faults-pg-"));
  const data = join(folder, "data");
  const port = await freePort();
  if (asRoot) {
    const id = (flag: string) => Number(Bun.spawnSync(["id", flag, "postgres"]).stdout.toString().trim());
    chownSync(folder, id("-u"), id("-g"));
  }
  run(pgCommand("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]));
  const logPath = join(folder, "postgres.log");
  // fsync off: the rig tests the server's behaviour, not the disk's; a crash of the postmaster alone keeps the
  // page cache, so committed data survives `-m immediate` as it would with fsync on.
  const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = () =>
    run(pgCommand("pg_ctl", ["start", "-w", "-t", "60", "-D", data, "-l", logPath, "-o", options]));
  start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const probe = postgres(url, { max: 1, onnotice: () => {} });
  await probe`select 1`;
  await probe.end();
  return {
    url,
    port,
    stopImmediately: () => run(pgCommand("pg_ctl", ["stop", "-m", "immediate", "-D", data])),
    start,
    log: () => {
      try {
        return readFileSync(logPath, "utf8");
      } catch {
        return "";
      }
    },
    destroy: () => {
      Bun.spawnSync(pgCommand("pg_ctl", ["stop", "-m", "immediate", "-D", data]), { stderr: "ignore" });
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export type PrivateRedis = {
  url: string;
  /** SIGKILL: no save, no goodbye to clients. */
  kill(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
};

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const folder = mkdtempSync(join(tmpdir(), "blockscore-faults-redis-"));
  let child: ReturnType<typeof Bun.spawn> | null = null;
  const start = async () => {
    child = Bun.spawn(
      [
        "redis-server",
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        folder,
      ],
      { stdout: "ignore", stderr: "ignore" },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ping = Bun.spawnSync(["redis-cli", "-p", String(port), "ping"], {
        stdout: "pipe",
        stderr: "ignore",
      });
      if (ping.stdout.toString().trim() === "PONG") return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
      await Bun.sleep(50);
    }
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running) return;
    running.kill("SIGKILL");
    await running.exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    destroy: async () => {
      await kill();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
