import { join } from "node:path";
import { type ScorecardArtifact, scorecardArtifactSchema } from "./artifact.ts";

/** Where `bun run model:train` writes the committed artifact. */
export const DEFAULT_SCORECARD_PATH = join(import.meta.dir, "..", "model", "scorecard.json");

/**
 * Reads and validates a scorecard artifact. Returns null when the file does not exist (the caller
 * falls back to the rules engine); throws when it exists but is not a valid scorecard, so a broken
 * artifact stops the server at start instead of scoring silently with the fallback.
 */
export async function loadScorecard(
  path: string = DEFAULT_SCORECARD_PATH,
): Promise<ScorecardArtifact | null> {
  const file = Bun.file(path);
  if (!(await file.exists())) return null;
  const parsed = scorecardArtifactSchema.safeParse(await file.json());
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`invalid scorecard artifact ${path}: ${issues}`);
  }
  return parsed.data;
}
