/**
 * Peer 1: raw `Bun.serve` + postgres.js, doing for each route what BlockScore does and nothing else: the same
 * session check and profile read (bench/peers/shared.ts), the same zod input schema and scorecard for simulate.
 * PORT and DATABASE_URL from the environment; loopback only. Started by bench/peers.ts.
 */
import postgres from "postgres";
import { simulateInputSchema } from "../../server/credit/schemas";
import { simulateScore } from "../../server/credit/scoring";
import {
  backgroundHealth,
  bearerToken,
  isComplete,
  LIMITS,
  loadScoring,
  readProfile,
  validateSession,
} from "./shared";

const sql = postgres(process.env.DATABASE_URL ?? "", { max: 10, onnotice: () => {} });
const health = backgroundHealth(sql);
const scoring = loadScoring();

const json = (status: number, body: unknown) => Response.json(body, { status });
const unauthenticated = () => json(401, { code: "UNAUTHENTICATED", message: "Sign in first" });

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  routes: {
    "/api/health": { GET: () => json(200, health()) },
    "/api/profile": {
      GET: async (request) => {
        const session = await validateSession(sql, bearerToken(request.headers.get("authorization")));
        if (!isComplete(session)) return unauthenticated();
        return json(200, { user: session.user, profile: await readProfile(sql, session.user.id) });
      },
    },
    "/api/credit/simulate": {
      POST: async (request) => {
        const session = await validateSession(sql, bearerToken(request.headers.get("authorization")));
        if (!isComplete(session)) return unauthenticated();
        const input = simulateInputSchema.safeParse(await request.json().catch(() => null));
        if (!input.success) return json(400, { code: "BAD_REQUEST", message: input.error.message });
        return json(200, simulateScore(input.data, { scoring, limits: LIMITS }));
      },
    },
  },
  fetch: () => json(404, { code: "NOT_FOUND", message: "No route for this path" }),
});

console.log(`raw-bun peer listening on ${server.port}`);
