import type { Logger } from "pino";
import type { Database } from "../db/client";
import { installAuditKey } from "./audit/key";
import { createOtpSender } from "./auth/otp-sender";
import { createSecretVault } from "./auth/secret-vault";
import { createSanctionsRegistry } from "./compliance/sanctions-registry";
import type { AppDeps } from "./context";
import { type LoadedEngine, RULES_ENGINE } from "./credit/engine";
import { createHealthMonitor } from "./health";
import { createMetrics } from "./metrics";
import { paymentsSettings } from "./payments/settings";
import { connectRedis } from "./redis";
import { createLoginGuard } from "./security/login-guard";
import { createRateLimiters } from "./security/rate-limit";
import { createSecretGuard } from "./security/secret-guard";
import type { KeyedConfig } from "./server-keys";
import { webhookSettings } from "./webhooks/settings";

/**
 * Builds what every request shares. `rateLimitPrefix` lets tests keep their budgets apart on one Redis.
 * The scoring engine is loaded by the caller (`loadScoringModel`, async) and passed in; without one the rules engine scores.
 * The config carries both server keys (`withServerKeys`); the audit key is installed for the process here.
 */
export function buildDeps(params: {
  config: KeyedConfig;
  db: Database;
  logger: Logger;
  rateLimitPrefix?: string;
  scoring?: LoadedEngine;
}): AppDeps {
  const { config, db, logger } = params;
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, logger) : null;
  const metrics = createMetrics();
  const limiters = createRateLimiters(config, redis, params.rateLimitPrefix, (limiter) =>
    metrics.rateLimitRefusals.inc({ limiter }),
  );
  installAuditKey(config.AUDIT_HMAC_KEY);
  return {
    config,
    db,
    logger,
    redis,
    limiters,
    metrics,
    health: createHealthMonitor(config.HEALTH_CHECK_INTERVAL_SECONDS * 1000),
    lifecycle: { draining: false },
    loginGuard: createLoginGuard(limiters, config),
    secretGuard: createSecretGuard(limiters),
    otpSender: createOtpSender(config),
    vault: createSecretVault(config.MFA_ENCRYPTION_KEY),
    scoring: params.scoring ?? RULES_ENGINE,
    sanctions: createSanctionsRegistry({ db, logger, config }),
    payments: paymentsSettings(config),
    cases: { slaDays: config.CASE_SLA_DAYS },
    webhooks: webhookSettings(config),
    // Set by the process once the chain and the job queue are up (server/main.ts); tests wire their own.
    chain: null,
    jobs: null,
    walletActivity: null,
  };
}
