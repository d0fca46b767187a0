import { z } from "zod";
import { getRescreen, startFullRescreen } from "../server/compliance/rescreen";
import { sanctionsOverview } from "../server/compliance/sanctions-registry";
import { rescreenSchema, sanctionsOverviewSchema } from "../server/compliance/sanctions-schemas";
import { pageLimit } from "../server/pagination";
import { roleProcedure, router } from "../server/trpc";

const tags = ["admin", "compliance"];
const adminProcedure = roleProcedure("admin");

/** The stored sanctions list versions and the rescreens of every customer. */
export const sanctionsRouter = router({
  overview: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/sanctions",
        tags,
        summary: "The sanctions list version in use, the version history and the latest fetches",
        description:
          "A fetch with outcome `failed` is a refused download (truncated or malformed): the list in use stayed.",
        protect: true,
      },
    })
    .input(z.object({ limit: pageLimit(20) }))
    .output(sanctionsOverviewSchema)
    .query(({ ctx, input }) => sanctionsOverview(ctx.db, ctx, input)),

  startRescreen: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/sanctions/rescreens",
        tags,
        summary: "Start a full rescreen: every verified or in-review customer against the whole list",
        protect: true,
      },
    })
    .input(z.void())
    .output(rescreenSchema)
    .mutation(({ ctx }) => startFullRescreen(ctx.db, ctx, { meta: ctx.request })),

  rescreen: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/sanctions/rescreens/{id}",
        tags,
        summary: "A rescreen's progress: customers screened, hits, done",
        protect: true,
      },
    })
    .input(z.object({ id: z.uuid({ error: "id must be a rescreen id" }) }))
    .output(rescreenSchema)
    .query(({ ctx, input }) => getRescreen(ctx.db, { rescreenId: input.id })),
});
