import type { DatabaseConnection } from "../../db/client";
import { appRouter } from "../../routers";
import { createApp } from "../../server/app";
import { loadConfig } from "../../server/config";
import type { AppDeps, Context, RequestInfo } from "../../server/context";
import { createContext } from "../../server/context";
import { loadScoringModel } from "../../server/credit/scoring-model";
import { buildDeps } from "../../server/deps";
import { createLogger } from "../../server/logger";
import { waitForRedis } from "../../server/redis";
import type { KeyedConfig } from "../../server/server-keys";
import { createCallerFactory } from "../../server/trpc";
import { sharedTestDatabase } from "./database";
import { TEST_METRICS_TOKEN, TEST_SERVER_KEYS } from "./keys";
import { testMailbox } from "./mailbox";

/** Test configuration: Redis from the environment when the suite runs against real services. */
export function testConfig(overrides: Record<string, string> = {}): KeyedConfig {
  const redis = process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {};
  return loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    RATE_LIMIT_GENERAL: "100000/60",
    ...TEST_SERVER_KEYS,
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    ...redis,
    ...overrides,
  }) as KeyedConfig;
}

/** Each call gets its own rate-limit budgets unless given a prefix to share (as two instances of one deployment do). */
export async function testDeps(
  overrides: Record<string, string> = {},
  options: { connection?: DatabaseConnection; rateLimitPrefix?: string } = {},
): Promise<AppDeps> {
  const config = testConfig(overrides);
  const { db } = options.connection ?? (await sharedTestDatabase());
  const rateLimitPrefix = options.rateLimitPrefix ?? `test-${crypto.randomUUID()}`;
  const scoring = await loadScoringModel(config);
  const deps = buildDeps({ config, db, logger: createLogger(config), rateLimitPrefix, scoring });
  // Codes and recovery tokens land in a mailbox the tests read, instead of the console.
  deps.otpSender = testMailbox();
  if (deps.redis) await waitForRedis(deps.redis, 500);
  return deps;
}

export function testRequest(overrides: Partial<RequestInfo> = {}): RequestInfo {
  return {
    requestId: crypto.randomUUID(),
    ip: "203.0.113.10",
    userAgent: "bun-test",
    token: null,
    idempotencyKey: null,
    rawBody: "",
    webhookSignature: null,
    actorId: null,
    setHeader: () => {},
    ...overrides,
  };
}

const createCaller = createCallerFactory(appRouter);

/** A caller with a real context: the token (if any) is validated against the database like a request's. */
export async function callerFor(deps: AppDeps, request: Partial<RequestInfo> = {}) {
  const ctx: Context = await createContext(deps, testRequest(request));
  return createCaller(ctx);
}

export type TestServer = { url: string; stop(): Promise<void> };

/** The real app on a real port, for end-to-end tests over HTTP. */
export async function startTestServer(deps: AppDeps): Promise<TestServer> {
  const app = createApp(deps).listen({ port: 0, hostname: "127.0.0.1" });
  const port = app.server?.port;
  if (!port) throw new Error("test server did not start");
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await app.stop();
    },
  };
}
