import { z } from "zod";
import { healthSchema, mayReadHealthDetails, publicHealth } from "../server/health";
import { publicProcedure, router } from "../server/trpc";

export const healthRouter = router({
  check: publicProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/health",
        tags: ["health"],
        summary: "Service and dependency health",
        description:
          "The result of checks run in the background every few seconds (HEALTH_CHECK_INTERVAL_SECONDS), and at " +
          "once after a request found a dependency failing. Anyone gets the overall status and each check's " +
          "status. An admin session, or `Authorization: Bearer <METRICS_TOKEN>`, also gets each check's `detail` " +
          "and `info`.",
        protect: false,
      },
    })
    .input(z.void())
    .output(healthSchema)
    .query(async ({ ctx }) => {
      const health = await ctx.health.current(ctx);
      return mayReadHealthDetails(ctx) ? health : publicHealth(health);
    }),
});
