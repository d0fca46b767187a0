/**
 * `bun run openapi:lint`: writes the OpenAPI document (built from the procedures, no server needed) to a
 * temporary file and lints it with Redocly's recommended rules. Any error or warning fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../server/config";
import { openApiDocument } from "../server/http/openapi";

type Problem = { ruleId: string; severity: string; message: string; location: { pointer?: string }[] };
type LintReport = { totals: { errors: number; warnings: number }; problems: Problem[] };

const folder = mkdtempSync(join(tmpdir(), "blockscore-openapi-"));
const file = join(folder, "openapi.json");
try {
  writeFileSync(file, JSON.stringify(openApiDocument(loadConfig({})), null, 2));
  const redocly = resolve(import.meta.dir, "..", "node_modules", ".bin", "redocly");
  const lint = Bun.spawnSync([redocly, "lint", "--format=json", file], { stderr: "pipe" });
  const output = lint.stdout.toString();
  if (!output.trim().startsWith("{")) {
    console.error(lint.stderr.toString());
    throw new Error(`redocly did not produce a report (exit ${lint.exitCode})`);
  }
  const report = JSON.parse(output) as LintReport;
  for (const problem of report.problems) {
    console.log(
      `${problem.severity} ${problem.ruleId} at ${problem.location[0]?.pointer ?? "?"}: ${problem.message}`,
    );
  }
  const { errors, warnings } = report.totals;
  console.log(`OpenAPI lint (Redocly recommended): ${errors} errors, ${warnings} warnings`);
  if (errors + warnings > 0) process.exitCode = 1;
} finally {
  rmSync(folder, { recursive: true, force: true });
}
