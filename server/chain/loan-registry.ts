import type { Address, Hex, PublicClient } from "viem";
import { loanRegistryAbi } from "../../contracts/artifacts.ts";
import { type LoanStatus, loanStatuses } from "../../db/schema/loan-values";
import type { ChainClients } from "./clients.ts";
import {
  type ConfirmedTransaction,
  revertErrorName,
  type SendOptions,
  sendAndConfirm,
} from "./transactions.ts";

/** The LoanRegistry contract: recording a loan's status changes and reading them back. */

// LoanRegistry's `Status` enum lists the workflow's statuses in this same order, after 0 = None (not registered).
export function loanStatusCode(status: LoanStatus): number {
  const index = loanStatuses.indexOf(status);
  if (index < 0) throw new Error(`unknown loan status: ${status}`);
  return index + 1;
}

function loanStatusFromCode(code: number): LoanStatus | null {
  return code === 0 ? null : (loanStatuses[code - 1] ?? null);
}

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
