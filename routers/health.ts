import { z } from "zod";
import { checkHealth, healthSchema } from "../server/health";
import { publicProcedure, router } from "../server/trpc";

export const healthRouter = router({
  check: publicProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/health",
        tags: ["health"],
        summary: "Service and dependency health",
        protect: false,
      },
    })
    .input(z.void())
    .output(healthSchema)
    .query(({ ctx }) => checkHealth(ctx)),
});
