import { join } from "node:path";
import { type ModelArtifact, modelArtifactSchema } from "./artifact.ts";
import { compileModel } from "./score.ts";

/** Where `bun run model:train` writes the committed artifact. */
export const DEFAULT_MODEL_PATH = join(import.meta.dir, "..", "model", "gbdt.json");

/**
 * Reads and validates a boosted-trees artifact, checks the monotone constraints and the Regulation B age rule
 * on its trees, and builds its TreeSHAP tables. Returns null when the file does not exist (the caller falls
 * back to the rules engine); throws, naming the problem, when it exists but is not a valid model, so a broken
 * or non-compliant model stops the server at start instead of scoring.
 */
export async function loadModel(path: string = DEFAULT_MODEL_PATH): Promise<ModelArtifact | null> {
  const file = Bun.file(path);
  if (!(await file.exists())) return null;
  const parsed = modelArtifactSchema.safeParse(await file.json());
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`invalid model artifact ${path}: ${issues}`);
  }
  compileModel(parsed.data);
  return parsed.data;
}
