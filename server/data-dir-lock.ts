import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it. The server marks
 * the folder it uses, and offline commands refuse to open a folder a live server holds. A mark left by a process
 * that died (kill -9, a crash, a power cut) is taken over: only a live holder refuses.
 */
function lockPath(dataDir: string): string {
  return join(resolve(dataDir), "server.pid");
}

/** The folder is held by another live process. */
export class DataDirInUseError extends Error {
  override name = "DataDirInUseError";

  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The data folder ${dataDir} is in use by another process (pid ${pid}); stop it first, or give this one its own DATA_DIR.`,
    );
  }
}

/**
 * Whether `pid` is a live process that could hold the folder. After a restart the pid of a dead server may belong
 * to an unrelated process by now: on Linux one that is not a Bun (or Node) process does not count.
 */
function aliveHolder(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return /\b(bun|node)\b/.test(command);
  } catch {
    return true;
  }
}

export function holderOf(dataDir: string): number | null {
  const path = lockPath(dataDir);
  if (!existsSync(path)) return null;
  const pid = Number(readFileSync(path, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return aliveHolder(pid) ? pid : null;
}

export function claimDataDir(dataDir: string): () => void {
  const folder = resolve(dataDir);
  mkdirSync(folder, { recursive: true });
  const path = lockPath(dataDir);
  // Two tries: the first may meet a mark a dead process left, which is removed and claimed anew. `wx` creates the
  // file only when it does not exist, so of two processes starting at once only one claims the folder.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, String(process.pid), { flag: "wx" });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = holderOf(dataDir);
      if (holder === process.pid) return () => rmSync(path, { force: true });
      if (holder !== null) throw new DataDirInUseError(folder, holder);
      rmSync(path, { force: true });
    }
  }
  throw new DataDirInUseError(folder, holderOf(dataDir) ?? 0);
}
