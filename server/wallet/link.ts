import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import { and, eq, lt, ne } from "drizzle-orm";
import { type Address, getAddress, type Hex, recoverMessageAddress } from "viem";
import { createSiweMessage, parseSiweMessage } from "viem/siwe";
import type { Database } from "../../db/client";
import { financialProfiles, walletChallenges } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import { anchorLatestScore, type Outbox } from "../chain/outbox";
import type { Config } from "../config";
import { conflict, invalidInput, notFound } from "../errors";
import { getFinancialProfile } from "../profile/profile";

export type SiweSettings = { domain: string; uri: string; chainId: number; ttlMs: number };

/**
 * What a challenge names. Linking is off-chain, so it works without a chain configured: the chain id is
 * then 1 (mainnet, where an address means the same key). The domain and URI default to the server's
 * own address; set SIWE_DOMAIN and SIWE_URI to the public host behind a proxy.
 */
export function siweSettings(
  config: Pick<
    Config,
    "HOST" | "PORT" | "CHAIN_ID" | "SIWE_DOMAIN" | "SIWE_URI" | "SIWE_CHALLENGE_TTL_SECONDS"
  >,
): SiweSettings {
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;
  const domain = config.SIWE_DOMAIN ?? `${host}:${config.PORT}`;
  return {
    domain,
    uri: config.SIWE_URI ?? `http://${domain}`,
    chainId: config.CHAIN_ID ?? 1,
    ttlMs: config.SIWE_CHALLENGE_TTL_SECONDS * 1000,
  };
}

const hash = (value: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(value)));

/** 128 bits from the CSPRNG as 32 hex digits (EIP-4361 wants at least 8 alphanumerics). */
function generateNonce(): string {
  return encodeHexLowerCase(crypto.getRandomValues(new Uint8Array(16)));
}

const STATEMENT = "Link this wallet to my BlockScore account.";

export type WalletChallenge = { message: string; expiresAt: Date };

/** Issues a single-use EIP-4361 message for the caller to sign with `address`'s key. */
export async function createWalletChallenge(
  db: Database,
  settings: SiweSettings,
  params: { userId: string; address: string; now?: Date },
): Promise<WalletChallenge> {
  const issuedAt = params.now ?? new Date();
  const expiresAt = new Date(issuedAt.getTime() + settings.ttlMs);
  const nonce = generateNonce();
  const message = createSiweMessage({
    address: getAddress(params.address),
    chainId: settings.chainId,
    domain: settings.domain,
    uri: settings.uri,
    nonce,
    version: "1",
    statement: STATEMENT,
    issuedAt,
    expirationTime: expiresAt,
  });
  // Old challenges of this user are of no use to anyone: drop them as new ones are made.
  await db
    .delete(walletChallenges)
    .where(and(eq(walletChallenges.userId, params.userId), lt(walletChallenges.expiresAt, issuedAt)));
  await db.insert(walletChallenges).values({
    userId: params.userId,
    nonceHash: hash(nonce),
    messageHash: hash(message),
    address: params.address.toLowerCase(),
    expiresAt,
  });
  return { message, expiresAt };
}

export type LinkedWallet = { address: Address | null; anchorConsent: boolean; linkedAt: Date | null };

export type LinkWalletParams = {
  userId: string;
  message: string;
  signature: Hex;
  /** Consent to anchor scores under this wallet (publicly tied to it) rather than a salted hash. */
  anchorConsent: boolean;
  now?: Date;
};

/**
 * Links the wallet that signed a challenge issued to this user. Checked before anything is stored:
 * the message parses and names our domain, URI and chain id; it has not expired; the signature
 * recovers to the address it names; its nonce is one we issued to this caller, unused, and the message
 * is exactly the one we issued. The challenge is consumed, the address stored and the link audited in
 * one transaction; with consent, the user's latest score (if it was never anchored) is queued for the chain
 * in it too.
 */
export async function linkWallet(
  db: Database,
  settings: SiweSettings,
  meta: RequestMeta,
  params: LinkWalletParams,
  outbox: Outbox,
): Promise<LinkedWallet> {
  const now = params.now ?? new Date();
  const fields = parseChallenge(params.message);
  if (fields.domain !== settings.domain || fields.uri !== settings.uri) {
    throw invalidInput(
      "SIWE_DOMAIN_MISMATCH",
      `The message must be for ${settings.domain} (${settings.uri})`,
    );
  }
  if (fields.chainId !== settings.chainId) {
    throw invalidInput("SIWE_CHAIN_MISMATCH", `The message must name chain ${settings.chainId}`);
  }
  if (!fields.expirationTime || fields.expirationTime.getTime() <= now.getTime()) {
    throw invalidInput("SIWE_CHALLENGE_EXPIRED", "This challenge has expired; request a new one");
  }
  const signer = await recoverMessageAddress({ message: params.message, signature: params.signature }).catch(
    () => null,
  );
  if (!signer || signer.toLowerCase() !== fields.address.toLowerCase()) {
    throw invalidInput(
      "SIWE_SIGNATURE_INVALID",
      `The signature was not made with the key of ${fields.address}`,
    );
  }
  const address = fields.address.toLowerCase();

  return db.transaction(async (tx) => {
    const [challenge] = await tx
      .select()
      .from(walletChallenges)
      .where(eq(walletChallenges.nonceHash, hash(fields.nonce)))
      .for("update");
    if (!challenge || challenge.userId !== params.userId) {
      throw invalidInput("SIWE_CHALLENGE_UNKNOWN", "This challenge was not issued to you; request a new one");
    }
    if (challenge.usedAt) {
      throw invalidInput("SIWE_CHALLENGE_USED", "This challenge was already used; request a new one");
    }
    if (challenge.expiresAt.getTime() <= now.getTime()) {
      throw invalidInput("SIWE_CHALLENGE_EXPIRED", "This challenge has expired; request a new one");
    }
    if (challenge.messageHash !== hash(params.message) || challenge.address !== address) {
      throw invalidInput("SIWE_MESSAGE_ALTERED", "The message is not the one issued with this challenge");
    }
    await tx.update(walletChallenges).set({ usedAt: now }).where(eq(walletChallenges.id, challenge.id));

    const [holder] = await tx
      .select({ userId: financialProfiles.userId })
      .from(financialProfiles)
      .where(and(eq(financialProfiles.walletAddress, address), ne(financialProfiles.userId, params.userId)));
    if (holder) throw walletTaken();
    const previous = await getFinancialProfile(tx, params.userId);
    const [profile] = await tx
      .update(financialProfiles)
      .set({
        walletAddress: address,
        walletAnchorConsent: params.anchorConsent,
        walletLinkedAt: now,
        updatedAt: now,
      })
      .where(eq(financialProfiles.userId, params.userId))
      .returning()
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? walletTaken() : error;
      });
    if (!profile) throw notFound("Profile");
    await appendAudit(tx, meta, {
      action: "wallet.link",
      subjectType: "user",
      subjectId: params.userId,
      details: { address, anchorConsent: params.anchorConsent, previousAddress: previous.walletAddress },
    });
    if (params.anchorConsent) await anchorLatestScore(outbox, tx, params.userId);
    return toLinkedWallet(profile);
  });
}

/** Removes the link (and with it the consent); audited. 404 when no wallet is linked. */
export async function unlinkWallet(db: Database, meta: RequestMeta, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const previous = await getFinancialProfile(tx, userId);
    if (!previous.walletAddress) throw notFound("Linked wallet");
    await tx
      .update(financialProfiles)
      .set({ walletAddress: null, walletAnchorConsent: false, walletLinkedAt: null, updatedAt: new Date() })
      .where(eq(financialProfiles.userId, userId));
    await appendAudit(tx, meta, {
      action: "wallet.unlink",
      subjectType: "user",
      subjectId: userId,
      details: { address: previous.walletAddress },
    });
  });
}

export async function getLinkedWallet(db: Database, userId: string): Promise<LinkedWallet> {
  return toLinkedWallet(await getFinancialProfile(db, userId));
}

function toLinkedWallet(profile: {
  walletAddress: string | null;
  walletAnchorConsent: boolean;
  walletLinkedAt: Date | null;
}): LinkedWallet {
  return {
    address: profile.walletAddress ? getAddress(profile.walletAddress) : null,
    anchorConsent: profile.walletAddress ? profile.walletAnchorConsent : false,
    linkedAt: profile.walletLinkedAt,
  };
}

type ChallengeFields = { address: Address; nonce: string; domain: string; uri: string; chainId: number } & {
  expirationTime?: Date;
};

function parseChallenge(message: string): ChallengeFields {
  let fields: ReturnType<typeof parseSiweMessage>;
  try {
    fields = parseSiweMessage(message);
  } catch {
    fields = {};
  }
  const { address, nonce, domain, uri, chainId, expirationTime } = fields;
  if (!address || !nonce || !domain || !uri || chainId === undefined) {
    throw invalidInput(
      "SIWE_MESSAGE_INVALID",
      "The message is not a Sign-In with Ethereum challenge from this server",
    );
  }
  return { address, nonce, domain, uri, chainId, expirationTime };
}

const walletTaken = () => conflict("WALLET_TAKEN", "This wallet is already linked to another account");

/** Postgres' unique_violation, however deep the drivers wrapped it. */
function isUniqueViolation(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    if ((current as { code?: unknown }).code === "23505") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
