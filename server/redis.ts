import Redis from "ioredis";
import type { Logger } from "pino";

/**
 * A Redis connection that never queues commands while disconnected: callers (the rate limiters) then fail
 * fast and fall back to memory, instead of hanging until Redis returns.
 */
export function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  let healthy = true;
  redis.on("error", (error) => {
    if (healthy)
      logger.warn({ err: error }, "redis unavailable; rate limits fall back to this instance's memory");
    healthy = false;
  });
  redis.on("ready", () => {
    if (!healthy) logger.info("redis available again");
    healthy = true;
  });
  return redis;
}

export async function pingRedis(redis: Redis, timeoutMs = 500): Promise<boolean> {
  if (redis.status !== "ready") return false;
  const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs));
  return Promise.race([
    redis.ping().then(
      (answer) => answer === "PONG",
      () => false,
    ),
    timeout,
  ]);
}

/** Waits (bounded) for the first connection, so the first requests after start-up already share Redis budgets. */
export async function waitForRedis(redis: Redis, timeoutMs = 2000): Promise<boolean> {
  if (redis.status === "ready") return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    redis.once("ready", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
