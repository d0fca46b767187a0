import {
  type Account,
  type Address,
  type Chain,
  getAddress,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import {
  auditAnchorAbi,
  auditAnchorBytecode,
  loanRegistryAbi,
  loanRegistryBytecode,
  scoreRegistryAbi,
  scoreRegistryBytecode,
  writerAccessAbi,
} from "./artifacts.ts";

export type Registries = { scoreRegistry: Address; loanRegistry: Address };

/**
 * Deploys both registries from the wallet's account (which becomes their owner), waits for each
 * receipt and checks it succeeded. `writers` are then authorised on both.
 */
export async function deployRegistries(
  walletClient: WalletClient<Transport, Chain, Account>,
  publicClient: PublicClient,
  options: { writers?: readonly Address[] } = {},
): Promise<Registries> {
  const confirm = async (hash: Hex, what: string) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${what} reverted (tx ${hash})`);
    return receipt;
  };

  const scoreReceipt = await confirm(
    await walletClient.deployContract({ abi: scoreRegistryAbi, bytecode: scoreRegistryBytecode }),
    "ScoreRegistry deployment",
  );
  const loanReceipt = await confirm(
    await walletClient.deployContract({ abi: loanRegistryAbi, bytecode: loanRegistryBytecode }),
    "LoanRegistry deployment",
  );
  if (!scoreReceipt.contractAddress || !loanReceipt.contractAddress) {
    throw new Error("a deployment receipt has no contract address");
  }
  const scoreRegistry = getAddress(scoreReceipt.contractAddress);
  const loanRegistry = getAddress(loanReceipt.contractAddress);

  for (const writer of options.writers ?? []) {
    for (const registry of [scoreRegistry, loanRegistry]) {
      const hash = await walletClient.writeContract({
        address: registry,
        abi: writerAccessAbi,
        functionName: "addWriter",
        args: [writer],
      });
      await confirm(hash, `addWriter(${writer}) on ${registry}`);
    }
  }
  return { scoreRegistry, loanRegistry };
}

/**
 * Deploys the AuditAnchor (audit log checkpoints) from the wallet's account, its owner, and authorises
 * `writers`. Separate from the registries: a deployment may anchor checkpoints or not.
 */
export async function deployAuditAnchor(
  walletClient: WalletClient<Transport, Chain, Account>,
  publicClient: PublicClient,
  options: { writers?: readonly Address[] } = {},
): Promise<Address> {
  const confirm = async (hash: Hex, what: string) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${what} reverted (tx ${hash})`);
    return receipt;
  };
  const receipt = await confirm(
    await walletClient.deployContract({ abi: auditAnchorAbi, bytecode: auditAnchorBytecode }),
    "AuditAnchor deployment",
  );
  if (!receipt.contractAddress) throw new Error("the AuditAnchor deployment receipt has no contract address");
  const anchor = getAddress(receipt.contractAddress);
  for (const writer of options.writers ?? []) {
    await confirm(
      await walletClient.writeContract({
        address: anchor,
        abi: writerAccessAbi,
        functionName: "addWriter",
        args: [writer],
      }),
      `addWriter(${writer}) on ${anchor}`,
    );
  }
  return anchor;
}
