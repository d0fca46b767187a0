import type Redis from "ioredis";
import type { Logger } from "pino";
import type { Database } from "../db/client";
import type { Session } from "../db/schema";
import type { ClientMeta } from "./auth/account";
import type { OtpSender } from "./auth/otp-sender";
import type { SecretVault } from "./auth/secret-vault";
import { type PublicUser, sessionPolicy, validateSessionToken } from "./auth/session";
import type { ChainService } from "./chain/connection";
import type { CaseSettings } from "./compliance/cases/queries";
import type { SanctionsRegistry } from "./compliance/sanctions-registry";
import type { Config } from "./config";
import type { LoadedEngine } from "./credit/engine";
import type { WalletActivityProvider } from "./credit/profile-inputs";
import type { HealthMonitor } from "./health";
import { domainErrorOf, domainTrpcError } from "./http/error-body";
import type { Jobs } from "./jobs/jobs";
import type { Metrics } from "./metrics";
import type { PaymentsSettings } from "./payments/settings";
import type { LoginGuard } from "./security/login-guard";
import type { RateLimiters } from "./security/rate-limit";
import type { SecretGuard } from "./security/secret-guard";
import type { WebhookSettings } from "./webhooks/settings";

/** Everything built once at start-up and shared by every request. */
export type AppDeps = {
  config: Config;
  db: Database;
  logger: Logger;
  redis: Redis | null;
  limiters: RateLimiters;
  /** This process's Prometheus metrics (GET /metrics). */
  metrics: Metrics;
  /** The last result of the background health checks. */
  health: HealthMonitor;
  /** Set when shutdown begins: answers then close their connection (`Connection: close`). */
  lifecycle: { draining: boolean };
  loginGuard: LoginGuard;
  /** The per-user budget of failed secret checks (current password, MFA and recovery codes). */
  secretGuard: SecretGuard;
  otpSender: OtpSender | null;
  /** Seals the TOTP keys and keys the code digests kept in the database (MFA_ENCRYPTION_KEY). */
  vault: SecretVault;
  /** The chain, when configured; without it every chain feature answers 503 CHAIN_UNAVAILABLE. */
  chain: ChainService | null;
  /** The job queue (pg-boss), which is also the transactional outbox; absent where nothing enqueues. */
  jobs: Jobs | null;
  /** The credit scoring engine chosen by SCORING_ENGINE and loaded at start (the rules engine without an artifact). */
  scoring: LoadedEngine;
  /** On-chain activity of a user's linked wallet for scoring; absent, the wallet inputs are unknown. */
  walletActivity: WalletActivityProvider | null;
  /** The sanctions list KYC screens against, loaded from SANCTIONS_DIR at start and reloadable by an admin. */
  sanctions: SanctionsRegistry;
  /** Compliance case settings (CASE_SLA_DAYS). */
  cases: CaseSettings;
  /** How repayments settle: the provider's signed webhook, or the sandbox through the same path. */
  payments: PaymentsSettings;
  /** Webhook targets allowed, retries and timeouts (WEBHOOKS_*). */
  webhooks: WebhookSettings;
};

/** What the transport tells the procedures about the request, and the one way they can answer besides data. */
export type RequestInfo = ClientMeta & {
  token: string | null;
  /** The `Idempotency-Key` header, for the operations that honour one (loans.apply, loan repayments). */
  idempotencyKey: string | null;
  /** The body exactly as received, and the `BlockScore-Signature` header: the payment webhook checks one with the other. */
  rawBody: string;
  webhookSignature: string | null;
  setHeader(name: string, value: string): void;
};

/**
 * Inner context: plain values, built directly by tests. `session` and `user` are null for anonymous callers;
 * the protected procedures narrow them.
 */
export type Context = AppDeps & {
  request: RequestInfo;
  session: Session | null;
  user: PublicUser | null;
};

export async function createContext(deps: AppDeps, request: RequestInfo): Promise<Context> {
  let validation: Awaited<ReturnType<typeof validateSessionToken>>;
  try {
    validation = request.token
      ? await validateSessionToken(deps.db, sessionPolicy(deps.config), request.token)
      : { session: null, user: null };
  } catch (error) {
    // Before any procedure runs, so the procedures' error mapping is applied here: a lost database is a 503.
    deps.health.checkSoon();
    const domain = domainErrorOf(error);
    throw domain ? domainTrpcError(domain, request.setHeader) : error;
  }
  return {
    ...deps,
    // Every line a procedure logs names the request it belongs to.
    logger: deps.logger.child({ requestId: request.requestId }),
    request: { ...request, actorId: validation.user?.id ?? null },
    ...validation,
  };
}
