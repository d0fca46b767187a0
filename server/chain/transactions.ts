import { BaseError, ContractFunctionRevertedError, type Hex } from "viem";
import type { ChainClients } from "./clients.ts";

export type SendOptions = {
  /** Blocks to wait for, counting the one that includes the transaction (default 1). */
  confirmations?: number;
  /** How long to wait for the receipt before throwing (default 60 s); a retry then checks the chain. */
  timeoutMs?: number;
  /** Called with the hash as soon as the node accepted the transaction, before waiting on it. */
  onSent?: (txHash: Hex) => void | Promise<void>;
};

export type ConfirmedTransaction = {
  txHash: Hex;
  blockNumber: bigint;
  gasUsed: bigint;
  status: "success";
};

/** A transaction was mined but reverted (viem's waitForTransactionReceipt does not throw for it). */
export class ChainTransactionReverted extends Error {
  readonly code = "CHAIN_TX_REVERTED";
  constructor(
    readonly txHash: Hex,
    readonly blockNumber: bigint,
    readonly gasUsed: bigint,
  ) {
    super(`transaction ${txHash} reverted in block ${blockNumber}`);
    this.name = "ChainTransactionReverted";
  }
}

/** The custom error's name when `error` is a contract revert viem could decode, else undefined. */
export function revertErrorName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  return revert instanceof ContractFunctionRevertedError ? revert.data?.errorName : undefined;
}

const sendQueues = new Map<string, Promise<unknown>>();

/**
 * Runs `send` after every earlier send from the same address in this process has been handed to
 * the node, so each one reads the pending nonce after the previous transaction. This orders sends
 * within one process only: across processes, serialise per key (one job at a time) or use one key
 * per worker.
 */
async function withSendLock<T>(address: string, send: () => Promise<T>): Promise<T> {
  const key = address.toLowerCase();
  const previous = sendQueues.get(key) ?? Promise.resolve();
  const result = previous.then(send, send);
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  sendQueues.set(key, settled);
  try {
    return await result;
  } finally {
    if (sendQueues.get(key) === settled) sendQueues.delete(key);
  }
}

/** Sends (serialised per signer), waits for the receipt and throws if the transaction reverted. */
export async function sendAndConfirm(
  clients: ChainClients,
  send: () => Promise<Hex>,
  options: SendOptions = {},
): Promise<ConfirmedTransaction> {
  const txHash = await withSendLock(clients.account.address, send);
  await options.onSent?.(txHash);
  const receipt = await clients.publicClient.waitForTransactionReceipt({
    hash: txHash,
    confirmations: options.confirmations ?? 1,
    timeout: options.timeoutMs ?? 60_000,
  });
  if (receipt.status !== "success") {
    throw new ChainTransactionReverted(txHash, receipt.blockNumber, receipt.gasUsed);
  }
  return { txHash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, status: "success" };
}
