/**
 * Peer 2: Express 5 + tRPC v11 on Node 20, the conventional way to serve one set of procedures as tRPC and REST:
 * tRPC's Express adapter on /trpc and trpc-to-openapi's Express middleware on /api, with superjson, zod input
 * and output schemas, a protected procedure, and the same session check, profile read and scorecard as
 * BlockScore (bench/peers/shared.ts). bench/peers.ts bundles it for Node (`bun build --target=node`) and runs it
 * with `node`; PORT and DATABASE_URL from the environment; loopback only.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express from "express";
import postgres from "postgres";
import superjson from "superjson";
import { createOpenApiExpressMiddleware, type OpenApiMeta } from "trpc-to-openapi";
import { z } from "zod";
import { publicUserSchema } from "../../server/auth/schemas";
import { simulatedScoreSchema, simulateInputSchema } from "../../server/credit/schemas";
import { simulateScore } from "../../server/credit/scoring";
import { financialProfileSchema } from "../../server/profile/schemas";
import {
  backgroundHealth,
  bearerToken,
  isComplete,
  LIMITS,
  loadScoring,
  type PeerSession,
  readProfile,
  validateSession,
} from "./shared";

const sql = postgres(process.env.DATABASE_URL ?? "", { max: 10, onnotice: () => {} });
const health = backgroundHealth(sql);
const scoring = loadScoring();

type Context = { session: PeerSession | null };
const t = initTRPC.context<Context>().meta<OpenApiMeta>().create({ transformer: superjson });
const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!isComplete(ctx.session)) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  return next({ ctx: { session: ctx.session } });
});

const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  checks: z.object({ database: z.object({ status: z.enum(["ok", "error"]) }) }),
});

const router = t.router({
  health: t.router({
    check: t.procedure
      .meta({ openapi: { method: "GET", path: "/health" } })
      .input(z.void())
      .output(healthSchema)
      .query(() => healthSchema.parse(health())),
  }),
  profile: t.router({
    get: protectedProcedure
      .meta({ openapi: { method: "GET", path: "/profile", protect: true } })
      .input(z.void())
      .output(z.object({ user: publicUserSchema, profile: financialProfileSchema }))
      .query(async ({ ctx }) => ({
        user: ctx.session.user,
        profile: await readProfile(sql, ctx.session.user.id),
      })),
  }),
  credit: t.router({
    simulate: protectedProcedure
      .meta({ openapi: { method: "POST", path: "/credit/simulate", protect: true } })
      .input(simulateInputSchema)
      .output(simulatedScoreSchema)
      .mutation(({ input }) => simulateScore(input, { scoring, limits: LIMITS })),
  }),
});

const createContext = async ({ req }: { req: express.Request }): Promise<Context> => ({
  session: await validateSession(sql, bearerToken(req.headers.authorization)),
});

const app = express();
app.disable("x-powered-by");
app.use("/trpc", createExpressMiddleware({ router, createContext }));
app.use("/api", express.json(), createOpenApiExpressMiddleware({ router, createContext }));
app.use((_request, response) => {
  response.status(404).json({ code: "NOT_FOUND", message: "No route for this path" });
});

const listener = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = listener.address();
  console.log(`express-trpc peer listening on ${typeof address === "object" ? address?.port : address}`);
});
