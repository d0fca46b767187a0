import type { Address, Hex, PublicClient } from "viem";
import { auditAnchorAbi } from "../../contracts/artifacts.ts";
import type { ChainClients } from "./clients.ts";
import {
  type ConfirmedTransaction,
  revertErrorName,
  type SendOptions,
  sendAndConfirm,
} from "./transactions.ts";

export type AnchoredCheckpoint = { seq: number; head: Hex; anchoredAt: Date };

/** The audit log's hash as the contract's bytes32. */
export function auditHeadBytes(hash: string): Hex {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error("an audit hash is 64 lower-case hex characters");
  return `0x${hash}`;
}

/** The newest checkpoint on chain, or null before the first. */
export async function readAnchoredCheckpoint(
  publicClient: PublicClient,
  contract: Address,
): Promise<AnchoredCheckpoint | null> {
  const latest = await publicClient.readContract({
    address: contract,
    abi: auditAnchorAbi,
    functionName: "latest",
  });
  if (latest.seq === 0n) return null;
  return {
    seq: Number(latest.seq),
    head: latest.head,
    anchoredAt: new Date(Number(latest.timestamp) * 1000),
  };
}

export type AnchorCheckpointResult =
  | ({ alreadyAnchored: false } & ConfirmedTransaction)
  | { alreadyAnchored: true };

/**
 * Anchors a checkpoint unless the contract already holds it or a newer one, in which case it sends nothing:
 * a retry after a timeout or a crash never writes twice, and an older head is never written over a newer.
 */
export async function anchorAuditCheckpoint(
  clients: ChainClients,
  contract: Address,
  params: { seq: number; head: Hex },
  options: SendOptions = {},
): Promise<AnchorCheckpointResult> {
  const { publicClient, walletClient, account } = clients;
  const latest = await readAnchoredCheckpoint(publicClient, contract);
  if (latest && latest.seq >= params.seq) return { alreadyAnchored: true };
  let request: Parameters<typeof walletClient.writeContract>[0];
  try {
    ({ request } = await publicClient.simulateContract({
      account,
      address: contract,
      abi: auditAnchorAbi,
      functionName: "anchor",
      args: [BigInt(params.seq), params.head],
    }));
  } catch (error) {
    if (revertErrorName(error) === "NotNewer") return { alreadyAnchored: true };
    throw error;
  }
  const tx = await sendAndConfirm(clients, () => walletClient.writeContract(request), options);
  return { alreadyAnchored: false, ...tx };
}
