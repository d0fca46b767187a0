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
export type Limiter = { name: string; spec: LimitSpec; store: RateLimiterAbstract; onRefusal?: () => void };

export function createLimiter(
  name: string,
  spec: LimitSpec,
  redis: Redis | null,
  keyPrefix: string,
  onRefusal?: (limiter: string) => void,
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
  return { name, spec, store, onRefusal: onRefusal && (() => onRefusal(name)) };
}

export function rateLimitHeaders(spec: LimitSpec, result: RateLimiterRes): Record<string, string> {
  return {
    "RateLimit-Limit": String(spec.points),
    "RateLimit-Remaining": String(Math.max(0, result.remainingPoints)),
    "RateLimit-Reset": String(Math.ceil(result.msBeforeNext / 1000)),
  };
}

/** The refusal for a key whose budget is spent: 429 with Retry-After and the RateLimit-* headers. */
export function refusal(limiter: Limiter, result: RateLimiterRes): RateLimitedError {
  limiter.onRefusal?.();
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
    if (rejection instanceof RateLimiterRes) throw refusal(limiter, rejection);
    throw rejection;
  }
}

/**
 * Spends one point whatever the budget holds, atomically, and says whether the budget was already spent
 * before it. Used where the check must be charged before the work (a password hash) begins, so that
 * concurrent attempts cannot all pass a gate that only counts finished ones.
 */
export async function charge(
  limiter: Limiter,
  key: string,
): Promise<{ result: RateLimiterRes; over: boolean }> {
  const result = await limiter.store.penalty(key, 1);
  return { result, over: result.consumedPoints > limiter.spec.points };
}

/**
 * The key a client address is counted under. An IPv6 client usually holds a whole /64, so counting each
 * address apart would hand it 2^64 budgets: IPv6 addresses count by their /64 prefix.
 */
export function addressKey(ip: string | null): string {
  if (!ip) return "unknown";
  if (!ip.includes(":") || /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) return ip.replace(/^::ffff:/i, "");
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::")
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

export type RateLimiters = {
  general: Limiter;
  /** Failed password logins per client address. */
  loginIp: Limiter;
  register: Limiter;
  mfa: Limiter;
  score: Limiter;
  /** Consecutive failed logins per account and address; a lockout is a block on the same key. */
  loginFailures: Limiter;
  /** How often an account was locked from an address lately: each lockout lasts twice as long as the one before. */
  lockouts: Limiter;
  /** Failed logins per account across every address: slows a distributed attack. */
  loginAccount: Limiter;
  /** Failed checks of a secret (current password, MFA code, recovery code) per signed-in user. */
  secretFailures: Limiter;
  /** Password reset requests per client address. */
  passwordResetIp: Limiter;
  /** Recovery emails (password reset, verification) per email address, whether an account has it or not. */
  accountEmail: Limiter;
};

/** `onRefusal` hears of every refusal, by limiter name (the metrics count them). */
export function createRateLimiters(
  config: Config,
  redis: Redis | null,
  keyPrefix = "bs",
  onRefusal?: (limiter: string) => void,
): RateLimiters {
  const make = (name: string, spec: LimitSpec) => createLimiter(name, spec, redis, keyPrefix, onRefusal);
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
    loginAccount: make("login_account", config.RATE_LIMIT_LOGIN_ACCOUNT),
    secretFailures: make("secret_failures", config.RATE_LIMIT_SECRET_FAILURES),
    passwordResetIp: make("password_reset_ip", config.RATE_LIMIT_PASSWORD_RESET_IP),
    accountEmail: make("account_email", config.RATE_LIMIT_ACCOUNT_EMAIL),
  };
}
