import { z } from "zod";
import { rescreenScopes } from "../../db/schema";

const versionSchema = z.object({
  id: z.number().int(),
  source: z.string(),
  checksum: z.string(),
  entryCount: z.number().int(),
  skippedRows: z.number().int(),
  added: z.number().int(),
  changed: z.number().int(),
  removed: z.number().int(),
  fetchedAt: z.date(),
});

export const sanctionsOverviewSchema = z.object({
  current: versionSchema.nullable(),
  generation: z.number().int().nullable(),
  versions: z.array(versionSchema),
  fetches: z.array(
    z.object({
      id: z.number().int(),
      trigger: z.enum(["start", "cron", "reload"]),
      source: z.string(),
      outcome: z.enum(["updated", "unchanged", "not_modified", "failed"]),
      versionId: z.number().int().nullable(),
      error: z.string().nullable(),
      at: z.date(),
    }),
  ),
  instance: z
    .union([
      z.object({
        loaded: z.literal(true),
        count: z.number().int(),
        loadedAt: z.date(),
        skippedRows: z.number().int(),
        version: z.number().int(),
      }),
      z.object({ loaded: z.literal(false), error: z.string() }),
    ])
    .meta({ description: "The list this instance screens against" }),
});

export const rescreenSchema = z.object({
  id: z.uuid(),
  versionId: z.number().int(),
  scope: z.enum(rescreenScopes),
  status: z.enum(["queued", "running", "done", "failed"]),
  screened: z.number().int(),
  hits: z.number().int(),
  done: z.boolean(),
  entries: z.number().int().nullable().meta({ description: "Entries screened against (scope changes)" }),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  error: z.string().nullable(),
});
