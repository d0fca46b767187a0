import type { Address, PublicClient } from "viem";
import { writerAccessAbi } from "../../contracts/artifacts.ts";
import type { ChainClients } from "./clients.ts";
import { type SendOptions, sendAndConfirm } from "./transactions.ts";

/** WriterAccess, which both registries inherit: who may write to them. */

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
