import { z } from "zod";
import { evaluationSchema, holdoutDetailSchema, plattCalibrationSchema } from "../calibration.ts";
import { SCORE_MAX, SCORE_MIN } from "../inputs.ts";
import { datasetSchema } from "../scorecard/artifact.ts";
import { FEATURE_IDS } from "../scorecard/features.ts";
import { checkConstraints } from "./constraints.ts";
import { decodeTree } from "./decode.ts";

export const MODEL_FORMAT = "blockscore.gbdt/1";

const count = z.number().int().min(0);
const share = z.number().min(0).max(1);

/**
 * A node in depth-first order: a split is [feature index, threshold, missing goes left (1) or right (0)]
 * (a value below the threshold goes left; the left subtree follows, then the right); a leaf is
 * [value in log-odds of bad, training rows that reached it]. The shape is checked here, the rest (feature
 * range, flags, covers, the tree structure) by `decodeTree`: one pass, fast enough for start-up.
 */
export type NodeTuple =
  | [feature: number, threshold: number, missingLeft: 0 | 1]
  | [value: number, cover: number];
export const nodeSchema = z.custom<NodeTuple>(
  (node) =>
    Array.isArray(node) &&
    (node.length === 2 || node.length === 3) &&
    node.every((value) => typeof value === "number" && Number.isFinite(value)),
  { message: "a node is [feature, threshold, missingLeft] or [value, cover], finite numbers" },
);

/** A reporting bin of a feature: its training share and bad rate and the mean points it gave (TreeSHAP). */
const reportingBinSchema = z.object({
  label: z.string(),
  /** Inclusive lower bound; null for the first bin. */
  lower: z.number().nullable(),
  /** Exclusive upper bound; null for the last bin. */
  upper: z.number().nullable(),
  count,
  share,
  badRate: share,
  /** Mean contribution to the score, in points, of the training rows in the bin. */
  points: z.number(),
});

export const modelFeatureSchema = z.object({
  id: z.enum(FEATURE_IDS),
  label: z.string(),
  inputs: z.array(z.string()).min(1),
  direction: z.enum(["nonIncreasing", "nonDecreasing", "free"]),
  /** Share of the trees' total loss reduction from splits on this feature. */
  importance: share,
  bins: z.array(reportingBinSchema).min(1),
  missing: z.object({ count, share, badRate: share.nullable(), points: z.number().nullable() }),
});

export const modelArtifactSchema = z
  .object({
    format: z.literal(MODEL_FORMAT),
    version: z.string().regex(/^gbdt-[0-9A-Za-z.-]+$/),
    description: z.string(),
    dataset: datasetSchema,
    method: z.object({
      split: z.object({ seed: z.number().int(), trainShare: z.number(), stratified: z.literal(true) }),
      validation: z.object({ seed: z.number().int(), share: z.number(), stratified: z.literal(true) }),
      histogram: z.object({ maxBins: z.number().int().min(2).max(255) }),
      boosting: z.object({
        loss: z.literal("logistic"),
        maxDepth: z.number().int().min(1).max(8),
        learningRate: z.number().positive(),
        lambda: z.number().min(0),
        minChildRows: count,
        minChildHessian: z.number().min(0),
        minGain: z.number().min(0),
        minMissingRows: count,
        maxTrees: count,
        earlyStoppingRounds: count,
        treesGrown: count,
      }),
      monotone: z.literal(
        "bounds: a constrained split's left subtree is capped at its right sibling's weight",
      ),
      calibration: z.string(),
      tuning: z.string(),
    }),
    scaling: z.object({
      pdo: z.number().positive(),
      baseScore: z.number(),
      baseOdds: z.number().positive(),
      factor: z.number(),
      offset: z.number(),
      minScore: z.literal(SCORE_MIN),
      maxScore: z.literal(SCORE_MAX),
    }),
    features: z.array(modelFeatureSchema).length(FEATURE_IDS.length),
    /** Log-odds of bad before any tree. */
    baseMargin: z.number(),
    /** The reference applicant: the training population's expected margin and its (unrounded) score. */
    reference: z.object({ margin: z.number(), score: z.number() }),
    trees: z.array(z.array(nodeSchema).min(1)).min(1),
    calibration: plattCalibrationSchema,
    metrics: z.object({
      train: evaluationSchema,
      validation: evaluationSchema,
      holdout: evaluationSchema,
      holdoutDetail: holdoutDetailSchema,
    }),
    /** The training rows' scores in ten buckets: bucket i holds bounds[i−1] ≤ score < bounds[i]. */
    scoreDistribution: z.object({
      bounds: z.array(z.number().int()),
      counts: z.array(count),
      shares: z.array(share),
    }),
    fairLending: z.object({
      rule: z.string(),
      ageScored: z.boolean(),
      monotoneInAge: z.literal(true),
      missingAgeScoredAsYoungest: z.literal(true),
    }),
  })
  .superRefine((artifact, ctx) => {
    artifact.features.forEach((feature, i) => {
      if (feature.id !== FEATURE_IDS[i])
        ctx.addIssue({
          code: "custom",
          path: ["features", i],
          message: `expected feature ${FEATURE_IDS[i]}`,
        });
    });
    const { maxDepth } = artifact.method.boosting;
    const trees = [];
    for (const [i, nodes] of artifact.trees.entries()) {
      const decoded = decodeTree(nodes, maxDepth);
      if (typeof decoded === "string") {
        ctx.addIssue({ code: "custom", path: ["trees", i], message: decoded });
        return;
      }
      trees.push(decoded);
    }
    for (const violation of checkConstraints(trees).slice(0, 5)) {
      ctx.addIssue({ code: "custom", path: ["trees"], message: violation });
    }
    const { scoreDistribution: d } = artifact;
    if (d.counts.length !== d.bounds.length + 1 || d.shares.length !== d.counts.length) {
      ctx.addIssue({
        code: "custom",
        path: ["scoreDistribution"],
        message: "one count and share per bucket",
      });
    }
  });

export type ModelArtifact = z.infer<typeof modelArtifactSchema>;
export type ModelFeature = z.infer<typeof modelFeatureSchema>;

/**
 * The artifact exactly as committed: pretty-printed JSON with a final newline, except that each tree takes one
 * line (a tree's nodes spread one number per line would make the file twenty times longer).
 */
export function serializeModel(artifact: ModelArtifact): string {
  const placeholder = "__TREES__";
  const text = JSON.stringify({ ...artifact, trees: placeholder }, null, 2);
  const trees = artifact.trees.map((tree) => `    ${JSON.stringify(tree)}`).join(",\n");
  return `${text.replace(`"${placeholder}"`, `[\n${trees}\n  ]`)}\n`;
}
