import { type Address, type Hex, hexToString, type PublicClient, size, stringToHex } from "viem";
import { loanRegistryAbi, scoreRegistryAbi, writerAccessAbi } from "../../contracts/artifacts.ts";
import { type LoanStatus, loanStatuses } from "../../db/schema/loan-values";
import type { ChainClients } from "./clients.ts";
import {
  type ConfirmedTransaction,
  revertErrorName,
  type SendOptions,
  sendAndConfirm,
} from "./transactions.ts";

// LoanRegistry's `Status` enum lists the workflow's statuses in this same order, after 0 = None (not registered).
export { type LoanStatus, loanStatuses };

export function loanStatusCode(status: LoanStatus): number {
  const index = loanStatuses.indexOf(status);
  if (index < 0) throw new Error(`unknown loan status: ${status}`);
  return index + 1;
}

function loanStatusFromCode(code: number): LoanStatus | null {
  return code === 0 ? null : (loanStatuses[code - 1] ?? null);
}

/** A model version as the registry's bytes32: UTF-8, right-padded; at most 32 bytes. */
export function encodeModelVersion(version: string): Hex {
  const hex = stringToHex(version);
  if (version.length === 0 || size(hex) > 32) throw new Error("a model version must have 1 to 32 bytes");
  return stringToHex(version, { size: 32 });
}

export function decodeModelVersion(value: Hex): string {
  return hexToString(value, { size: 32 }).replace(/\0+$/, "");
}

// ---------------------------------------------------------------------------------------------
// Scores

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

// ---------------------------------------------------------------------------------------------
// Loans

export type RecordLoanStatusParams = {
  /** From loanIdHash. */
  loanIdHash: Hex;
  amountCents: bigint | number;
  termMonths: number;
  status: LoanStatus;
};

export type RecordLoanStatusResult =
  | ({ skipped: false; registered: boolean } & ConfirmedTransaction)
  | { skipped: true; chainStatus: LoanStatus };

/**
 * Records a loan's status: registers the loan with it when the chain does not know the loan, sends
 * nothing when the chain already recorded that status for it (a retry), else records the change.
 */
export async function recordLoanStatus(
  clients: ChainClients,
  registry: Address,
  params: RecordLoanStatusParams,
  options: SendOptions = {},
): Promise<RecordLoanStatusResult> {
  const { publicClient, walletClient, account } = clients;
  const code = loanStatusCode(params.status);

  // Two rounds: a concurrent writer may register the loan between our read and our simulation.
  for (let round = 0; round < 2; round++) {
    const loan = await readLoan(publicClient, registry, params.loanIdHash);
    if (loan?.recordedStatuses.includes(params.status)) return { skipped: true, chainStatus: loan.status };

    let request: Parameters<typeof walletClient.writeContract>[0];
    try {
      ({ request } = loan
        ? await publicClient.simulateContract({
            account,
            address: registry,
            abi: loanRegistryAbi,
            functionName: "recordStatus",
            args: [params.loanIdHash, code],
          })
        : await publicClient.simulateContract({
            account,
            address: registry,
            abi: loanRegistryAbi,
            functionName: "registerLoan",
            args: [params.loanIdHash, BigInt(params.amountCents), params.termMonths, code],
          }));
    } catch (error) {
      const name = revertErrorName(error);
      if (name === "AlreadyRegistered" || name === "AlreadyRecorded") continue;
      throw error;
    }
    const tx = await sendAndConfirm(clients, () => walletClient.writeContract(request), options);
    return { skipped: false, registered: loan === null, ...tx };
  }
  const loan = await readLoan(publicClient, registry, params.loanIdHash);
  if (loan?.recordedStatuses.includes(params.status)) return { skipped: true, chainStatus: loan.status };
  throw new Error(`could not record status ${params.status} for loan ${params.loanIdHash}`);
}

export type ChainLoan = {
  status: LoanStatus;
  amountCents: bigint;
  termMonths: number;
  /** Every status recorded for the loan, in enum order. */
  recordedStatuses: LoanStatus[];
  registeredAt: Date;
  updatedAt: Date;
};

/** The loan as the registry holds it, or null when it was never registered. */
export async function readLoan(
  publicClient: PublicClient,
  registry: Address,
  loanIdHash: Hex,
): Promise<ChainLoan | null> {
  const loan = await publicClient.readContract({
    address: registry,
    abi: loanRegistryAbi,
    functionName: "getLoan",
    args: [loanIdHash],
  });
  const status = loanStatusFromCode(loan.status);
  if (status === null) return null;
  return {
    status,
    amountCents: loan.amount,
    termMonths: loan.termMonths,
    recordedStatuses: loanStatuses.filter((s) => (loan.recorded & (1 << loanStatusCode(s))) !== 0),
    registeredAt: new Date(Number(loan.registeredAt) * 1000),
    updatedAt: new Date(Number(loan.updatedAt) * 1000),
  };
}

type LogPosition = { loanIdHash: Hex; at: Date; blockNumber: bigint; txHash: Hex; logIndex: number };
export type LoanEvent =
  | ({ kind: "registered"; amountCents: bigint; termMonths: number } & LogPosition)
  | ({ kind: "status"; from: LoanStatus | null; to: LoanStatus } & LogPosition);

/** LoanRegistered and LoanStatusChanged events, oldest first, optionally for one loan. */
export async function readLoanEvents(
  publicClient: PublicClient,
  registry: Address,
  filter: { loanIdHash?: Hex; fromBlock?: bigint } = {},
): Promise<LoanEvent[]> {
  const query = {
    address: registry,
    abi: loanRegistryAbi,
    args: { loanIdHash: filter.loanIdHash },
    fromBlock: filter.fromBlock ?? 0n,
    toBlock: "latest",
  } as const;
  const [registered, changed] = await Promise.all([
    publicClient.getContractEvents({ ...query, eventName: "LoanRegistered" }),
    publicClient.getContractEvents({ ...query, eventName: "LoanStatusChanged" }),
  ]);
  const position = (log: (typeof registered | typeof changed)[number]): LogPosition => ({
    loanIdHash: log.args.loanIdHash as Hex,
    at: new Date(Number(log.args.timestamp) * 1000),
    blockNumber: log.blockNumber,
    txHash: log.transactionHash,
    logIndex: log.logIndex,
  });
  const events: LoanEvent[] = [
    ...registered.map((log) => ({
      kind: "registered" as const,
      amountCents: log.args.amount as bigint,
      termMonths: log.args.termMonths as number,
      ...position(log),
    })),
    ...changed.map((log) => ({
      kind: "status" as const,
      from: loanStatusFromCode(log.args.from as number),
      to: loanStatusFromCode(log.args.to as number) as LoanStatus,
      ...position(log),
    })),
  ];
  return events.sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  );
}

// ---------------------------------------------------------------------------------------------
// Writers (both registries share WriterAccess)

/** Authorises `writer` on a registry (owner only); sends nothing when it already is one. */
export async function authoriseWriter(
  clients: ChainClients,
  registry: Address,
  writer: Address,
  options: SendOptions = {},
): Promise<{ changed: boolean }> {
  return setWriter(clients, registry, writer, true, options);
}

/** Revokes `writer` on a registry (owner only); sends nothing when it is not one. */
export async function revokeWriter(
  clients: ChainClients,
  registry: Address,
  writer: Address,
  options: SendOptions = {},
): Promise<{ changed: boolean }> {
  return setWriter(clients, registry, writer, false, options);
}

export async function isWriter(publicClient: PublicClient, registry: Address, writer: Address) {
  return publicClient.readContract({
    address: registry,
    abi: writerAccessAbi,
    functionName: "isWriter",
    args: [writer],
  });
}

async function setWriter(
  clients: ChainClients,
  registry: Address,
  writer: Address,
  enabled: boolean,
  options: SendOptions,
): Promise<{ changed: boolean }> {
  const { publicClient, walletClient, account } = clients;
  if ((await isWriter(publicClient, registry, writer)) === enabled) return { changed: false };
  const { request } = await publicClient.simulateContract({
    account,
    address: registry,
    abi: writerAccessAbi,
    functionName: enabled ? "addWriter" : "removeWriter",
    args: [writer],
  });
  await sendAndConfirm(clients, () => walletClient.writeContract(request), options);
  return { changed: true };
}
