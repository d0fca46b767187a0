import { type Address, type Hex, hexToString, type PublicClient, size, stringToHex } from "viem";
import { scoreRegistryAbi } from "../../contracts/artifacts.ts";
import type { ChainClients } from "./clients.ts";
import {
  type ConfirmedTransaction,
  revertErrorName,
  type SendOptions,
  sendAndConfirm,
} from "./transactions.ts";

/** The ScoreRegistry contract: anchoring a score's hash and reading anchored scores back. */

/** A model version as the registry's bytes32: UTF-8, right-padded; at most 32 bytes. */
export function encodeModelVersion(version: string): Hex {
  const hex = stringToHex(version);
  if (version.length === 0 || size(hex) > 32) throw new Error("a model version must have 1 to 32 bytes");
  return stringToHex(version, { size: 32 });
}

export function decodeModelVersion(value: Hex): string {
  return hexToString(value, { size: 32 }).replace(/\0+$/, "");
}

export type AnchorScoreParams = {
  /** From subjectForWallet or subjectForUser. */
  subject: Hex;
  /** 300 to 850; the contract refuses anything else. */
  score: number;
  /** From scoreRecordHash. */
  recordHash: Hex;
  /** At most 32 bytes of UTF-8. */
  modelVersion: string;
  /** When the score was calculated: the registry refuses it unless it is newer than the subject's latest. */
  calculatedAt: Date;
};

export type AnchorScoreResult =
  | ({ alreadyAnchored: false; superseded: false } & ConfirmedTransaction)
  | {
      alreadyAnchored: true;
      superseded: false;
      /** The transaction that anchored it, when its event could be found from `fromBlock`. */
      existing: { txHash: Hex; blockNumber: bigint } | null;
    }
  | {
      alreadyAnchored: false;
      /** The registry holds a score calculated later (or at the same time) for the subject: nothing was sent. */
      superseded: true;
      latestCalculatedAt: Date;
    };

export type AnchorScoreOptions = SendOptions & {
  /** Where to start looking for the earlier anchoring's event (default: block 0). */
  fromBlock?: bigint;
};

/**
 * Anchors a score record unless the registry already holds its hash, in which case it sends
 * nothing. A retry after a timeout or a crash therefore never publishes twice; a concurrent
 * publication of the same record loses the race in simulation or reverts, never writes twice. A record
 * older than the subject's latest is refused by the registry (found in simulation: nothing is sent).
 */
export async function anchorScore(
  clients: ChainClients,
  registry: Address,
  params: AnchorScoreParams,
  options: AnchorScoreOptions = {},
): Promise<AnchorScoreResult> {
  const { publicClient, walletClient, account } = clients;
  const anchored = async (): Promise<AnchorScoreResult> => ({
    alreadyAnchored: true,
    superseded: false,
    existing: await findAnchoring(publicClient, registry, params.recordHash, options.fromBlock),
  });
  const calculatedAt = BigInt(params.calculatedAt.getTime());

  const isAnchored = await publicClient.readContract({
    address: registry,
    abi: scoreRegistryAbi,
    functionName: "isAnchored",
    args: [params.recordHash],
  });
  if (isAnchored) return anchored();

  let request: Parameters<typeof walletClient.writeContract>[0];
  try {
    ({ request } = await publicClient.simulateContract({
      account,
      address: registry,
      abi: scoreRegistryAbi,
      functionName: "anchorScore",
      args: [
        params.subject,
        params.score,
        params.recordHash,
        encodeModelVersion(params.modelVersion),
        calculatedAt,
      ],
    }));
  } catch (error) {
    const name = revertErrorName(error);
    if (name === "AlreadyAnchored") return anchored();
    if (name === "StaleScore") {
      const latest = await readLatestScore(publicClient, registry, params.subject);
      return {
        alreadyAnchored: false,
        superseded: true,
        latestCalculatedAt: latest?.calculatedAt ?? new Date(0),
      };
    }
    throw error;
  }
  const tx = await sendAndConfirm(clients, () => walletClient.writeContract(request), options);
  return { alreadyAnchored: false, superseded: false, ...tx };
}

async function findAnchoring(
  publicClient: PublicClient,
  registry: Address,
  recordHash: Hex,
  fromBlock = 0n,
): Promise<{ txHash: Hex; blockNumber: bigint } | null> {
  try {
    const [event] = await publicClient.getContractEvents({
      address: registry,
      abi: scoreRegistryAbi,
      eventName: "ScoreAnchored",
      args: { recordHash },
      fromBlock,
      toBlock: "latest",
    });
    return event ? { txHash: event.transactionHash, blockNumber: event.blockNumber } : null;
  } catch {
    return null; // a node limiting log ranges: the anchoring itself is certain, its tx unknown
  }
}

export type ChainScore = {
  score: number;
  recordHash: Hex;
  modelVersion: string;
  anchoredAt: Date;
  /** When the score was calculated (off-chain time, carried by the record). */
  calculatedAt: Date;
};

/** The subject's latest anchored score, or null when none was anchored. */
export async function readLatestScore(
  publicClient: PublicClient,
  registry: Address,
  subject: Hex,
): Promise<ChainScore | null> {
  const record = await publicClient.readContract({
    address: registry,
    abi: scoreRegistryAbi,
    functionName: "latestScore",
    args: [subject],
  });
  if (record.timestamp === 0n) return null;
  return {
    score: record.score,
    recordHash: record.recordHash,
    modelVersion: decodeModelVersion(record.modelVersion),
    anchoredAt: new Date(Number(record.timestamp) * 1000),
    calculatedAt: new Date(Number(record.calculatedAt)),
  };
}

export async function isScoreAnchored(
  publicClient: PublicClient,
  registry: Address,
  recordHash: Hex,
): Promise<boolean> {
  return publicClient.readContract({
    address: registry,
    abi: scoreRegistryAbi,
    functionName: "isAnchored",
    args: [recordHash],
  });
}

export type ScoreAnchoredEvent = ChainScore & {
  subject: Hex;
  blockNumber: bigint;
  txHash: Hex;
  logIndex: number;
};

/** ScoreAnchored events, oldest first, optionally for one subject or one record. */
export async function readScoreEvents(
  publicClient: PublicClient,
  registry: Address,
  filter: { subject?: Hex; recordHash?: Hex; fromBlock?: bigint } = {},
): Promise<ScoreAnchoredEvent[]> {
  const logs = await publicClient.getContractEvents({
    address: registry,
    abi: scoreRegistryAbi,
    eventName: "ScoreAnchored",
    args: { subject: filter.subject, recordHash: filter.recordHash },
    fromBlock: filter.fromBlock ?? 0n,
    toBlock: "latest",
  });
  return logs.map((log) => ({
    subject: log.args.subject as Hex,
    score: log.args.score as number,
    recordHash: log.args.recordHash as Hex,
    modelVersion: decodeModelVersion(log.args.modelVersion as Hex),
    anchoredAt: new Date(Number(log.args.timestamp) * 1000),
    calculatedAt: new Date(Number(log.args.calculatedAt)),
    blockNumber: log.blockNumber,
    txHash: log.transactionHash,
    logIndex: log.logIndex,
  }));
}
