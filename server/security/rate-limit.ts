import type Redis from "ioredis";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import type { Config, LimitSpec } from "../config";
import { RateLimitedError } from "../errors";

/** A named budget: in Redis when configured (shared by every instance), with this instance's memory as insurance. */
export type Limiter = { name: string; spec: LimitSpec; store: RateLimiterAbstract };

export function createLimiter(
  name: string,
  spec: LimitSpec,
  redis: Redis | null,
  keyPrefix: string,
): Limiter {
  const options = { keyPrefix: `${keyPrefix}:${name}`, points: spec.points, duration: spec.windowSeconds };
  const memory = new RateLimiterMemory(options);
  const store = redis
    ? new RateLimiterRedis({
        ...options,
        storeClient: redis,
        insuranceLimiter: memory,
        rejectIfRedisNotReady: true,
      })
    : memory;
  return { name, spec, store };
}

export function rateLimitHeaders(spec: LimitSpec, result: RateLimiterRes): Record<string, string> {
  return {
    "RateLimit-Limit": String(spec.points),
    "RateLimit-Remaining": String(Math.max(0, result.remainingPoints)),
    "RateLimit-Reset": String(Math.ceil(result.msBeforeNext / 1000)),
  };
}

function limited(limiter: Limiter, result: RateLimiterRes): RateLimitedError {
  return new RateLimitedError(
    Math.max(1, Math.ceil(result.msBeforeNext / 1000)),
    rateLimitHeaders(limiter.spec, result),
  );
}

/** Spends points from the key's budget; throws RateLimitedError (429 with Retry-After) once it is spent. */
export async function consume(limiter: Limiter, key: string, points = 1): Promise<RateLimiterRes> {
  try {
    return await limiter.store.consume(key, points);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) throw limited(limiter, rejection);
    throw rejection;
  }
}

/** Throws when the key's budget is already spent, without spending anything. */
export async function assertWithinLimit(limiter: Limiter, key: string): Promise<void> {
  const state = await limiter.store.get(key);
  if (state && state.remainingPoints <= 0 && state.msBeforeNext > 0) throw limited(limiter, state);
}

export type RateLimiters = {
  general: Limiter;
  loginIp: Limiter;
  register: Limiter;
  mfa: Limiter;
  score: Limiter;
  /** Consecutive failed logins per account. */
  loginFailures: Limiter;
  /** How often an account was locked lately: each lockout lasts twice as long as the one before. */
  lockouts: Limiter;
  /** An account's current lockout, as a block on its key. */
  lockedAccounts: Limiter;
};

export function createRateLimiters(config: Config, redis: Redis | null, keyPrefix = "bs"): RateLimiters {
  const make = (name: string, spec: LimitSpec) => createLimiter(name, spec, redis, keyPrefix);
  return {
    general: make("general", config.RATE_LIMIT_GENERAL),
    loginIp: make("login_ip", config.RATE_LIMIT_LOGIN_IP),
    register: make("register_ip", config.RATE_LIMIT_REGISTER_IP),
    mfa: make("mfa", config.RATE_LIMIT_MFA),
    score: make("score", config.RATE_LIMIT_SCORE),
    loginFailures: make("login_failures", {
      points: config.LOGIN_LOCKOUT_THRESHOLD,
      windowSeconds: config.LOGIN_LOCKOUT_MAX_SECONDS,
    }),
    lockouts: make("lockouts", { points: 1000, windowSeconds: config.LOGIN_LOCKOUT_MAX_SECONDS }),
    lockedAccounts: make("locked", { points: 1, windowSeconds: config.LOGIN_LOCKOUT_MAX_SECONDS }),
  };
}
