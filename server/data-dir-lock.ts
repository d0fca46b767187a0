import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it. The server marks
 * the folder it uses, and offline commands refuse to open a folder a live server holds.
 */
function lockPath(dataDir: string): string {
  return join(resolve(dataDir), "server.pid");
}

export function holderOf(dataDir: string): number | null {
  const path = lockPath(dataDir);
  if (!existsSync(path)) return null;
  const pid = Number(readFileSync(path, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

export function claimDataDir(dataDir: string): () => void {
  const holder = holderOf(dataDir);
  if (holder && holder !== process.pid) {
    throw new Error(
      `The data folder ${resolve(dataDir)} is in use by another process (pid ${holder}); stop it first.`,
    );
  }
  mkdirSync(resolve(dataDir), { recursive: true });
  writeFileSync(lockPath(dataDir), String(process.pid));
  return () => rmSync(lockPath(dataDir), { force: true });
}
