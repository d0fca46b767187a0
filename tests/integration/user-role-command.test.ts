import { describe, expect, it } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function runUserRole(args: string[], env: Record<string, string>) {
  return Bun.spawnSync(["bun", "scripts/user-role.ts", ...args], {
    cwd: join(import.meta.dir, "../.."),
    env: { ...process.env, DATABASE_URL: "", ...env },
  });
}

describe("user:role command", () => {
  it("refuses to open an embedded data folder that a running server holds", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "blockscore-role-"));
    writeFileSync(join(dataDir, "server.pid"), String(process.pid));
    const result = runUserRole(["someone@example.test", "admin"], { DATA_DIR: dataDir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.toString()).toContain("in use");
  });

  it("explains its usage when the role is unknown", () => {
    const result = runUserRole(["someone@example.test", "emperor"], { DATA_DIR: tmpdir() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.toString()).toContain("usage: bun run user:role");
  });
});
