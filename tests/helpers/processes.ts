/**
 * BlockScore as real server processes (`bun server/main.ts`), for the tests and benches that need more than one
 * instance, a proxy in front, or signals: loopback only, a port of their own, the log in a file of their own.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dir, "..", "..");

/** A port free right now on 127.0.0.1 (the OS picks it; the caller binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

/** Resident memory of a process in bytes (Linux), or null once it is gone. */
export function rssBytes(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Number(line[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in seconds (Linux; clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export type ServerProcess = {
  url: string;
  port: number;
  pid: number;
  logPath: string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number>;
  /** Sends `signal` (SIGTERM by default) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
  log(): string;
};

/**
 * What every test instance needs on top of the caller's env: production mode, budgets no test reaches, and the
 * server keys every instance of one deployment shares (a production server on Postgres must be given them).
 */
export const INSTANCE_ENV: Record<string, string> = {
  NODE_ENV: "production",
  MFA_ENCRYPTION_KEY: "6d66612d656e6372797074696f6e2d6b65792d666f722d746573747320202020",
  AUDIT_HMAC_KEY: "61756469742d686d61632d6b65792d666f722d74657374732020202020202020",
  PAYMENTS_WEBHOOK_SECRET: "payments-webhook-secret-of-the-test-instances",
  LOG_LEVEL: "warn",
  RATE_LIMIT_GENERAL: "100000000/60",
  RATE_LIMIT_REGISTER_IP: "100000/3600",
  RATE_LIMIT_LOGIN_IP: "100000/900",
  RATE_LIMIT_SCORE: "100000/86400",
  JOBS_POLL_INTERVAL_SECONDS: "0.5",
  // Email verification tokens are printed to the instance's log, where the user flow reads them.
  OTP_PROVIDER: "console",
};

/** Polls `url` until it answers with any status, or throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, exited?: Promise<number>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited?.then(() => {
    gone = true;
  });
  while (Date.now() < deadline && !gone) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(500) });
      return;
    } catch {
      await Bun.sleep(20);
    }
  }
  throw new Error(
    gone ? `${url}: the process exited before it answered` : `${url} did not answer in ${timeoutMs} ms`,
  );
}

/**
 * Starts `bun server/main.ts` with `env` (plus `INSTANCE_ENV` underneath and PORT) and waits until it answers
 * on /api/health. The log goes to a file in a fresh temporary folder, or `logPath`.
 */
export async function startServerProcess(options: {
  env: Record<string, string>;
  port?: number;
  logPath?: string;
  readyTimeoutMs?: number;
  args?: string[];
}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const logPath = options.logPath ?? join(mkdtempSync(join(tmpdir(), "blockscore-instance-")), "server.log");
  const child = Bun.spawn([process.execPath, ...(options.args ?? ["server/main.ts"])], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      ...INSTANCE_ENV,
      ...options.env,
      PORT: String(port),
      HOST: "127.0.0.1",
    },
    stdout: Bun.file(logPath),
    stderr: Bun.file(`${logPath}.err`),
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = child.exited;
  const instance: ServerProcess = {
    url,
    port,
    pid: child.pid,
    logPath,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    log: () => {
      const read = (path: string) => {
        try {
          return readFileSync(path, "utf8");
        } catch {
          return "";
        }
      };
      return read(logPath) + read(`${logPath}.err`);
    },
  };
  try {
    await waitForHttp(`${url}/api/health`, options.readyTimeoutMs ?? 30_000, exited);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n${instance.log().slice(-4000)}`);
  }
  return instance;
}
