import { z } from "zod";
import { chainTxKinds, chainTxStatuses } from "../db/schema";
import { requireChain } from "../server/chain/connection";
import { listUserTransactions, readScoreForAddress, verifyScoreAnchor } from "../server/chain/read";
import { pageLimit, seqCursor } from "../server/pagination";
import { protectedProcedure, publicProcedure, router } from "../server/trpc";
import { addressSchema } from "./wallet";

const tags = ["chain"];
const hex = z.string().regex(/^0x[0-9a-fA-F]*$/);

const chainScoreSchema = z.object({
  score: z.number().int(),
  recordHash: hex,
  modelVersion: z.string(),
  anchoredAt: z.date(),
  calculatedAt: z
    .date()
    .meta({ description: "When the score was calculated; the registry keeps only newer ones" }),
});

const transactionSchema = z.object({
  id: z.string(),
  kind: z.enum(chainTxKinds),
  referenceId: z.string(),
  summary: z.record(z.string(), z.union([z.string(), z.number()])),
  status: z.enum(chainTxStatuses),
  txHash: z.string().nullable(),
  blockNumber: z.number().int().nullable(),
  gasUsed: z.number().int().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.date(),
  sentAt: z.date().nullable(),
  confirmedAt: z.date().nullable(),
});

export const chainRouter = router({
  score: publicProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/chain/score/{address}",
        tags,
        summary: "The latest score anchored on chain for a wallet (public)",
        protect: false,
      },
    })
    .input(z.object({ address: addressSchema }))
    .output(z.object({ address: z.string(), subject: hex, score: chainScoreSchema.nullable() }))
    .query(({ ctx, input }) => readScoreForAddress(requireChain(ctx), input.address)),

  transactions: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/chain/transactions",
        tags,
        summary: "The chain writes made for the caller, newest first, with their state",
        protect: true,
      },
    })
    .input(
      z.object({
        cursor: seqCursor,
        limit: pageLimit(20),
      }),
    )
    .output(z.object({ items: z.array(transactionSchema), nextCursor: z.number().int().nullable() }))
    .query(({ ctx, input }) => {
      requireChain(ctx);
      return listUserTransactions(ctx.db, { userId: ctx.user.id, ...input });
    }),

  verify: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/chain/verify",
        tags,
        summary: "Recompute a score record's hash and compare it with the chain",
        protect: true,
      },
    })
    .input(z.object({ scoreId: z.string({ error: "scoreId is required" }).min(1).max(100) }))
    .output(
      z.object({
        scoreId: z.string(),
        recordHash: hex,
        recordIntact: z.boolean(),
        anchored: z.boolean(),
        onChain: z
          .object({
            subject: hex,
            score: z.number().int(),
            modelVersion: z.string(),
            anchoredAt: z.date(),
            txHash: hex,
            blockNumber: z.number().int(),
            latest: z.boolean(),
          })
          .nullable(),
        matches: z.boolean(),
      }),
    )
    .mutation(({ ctx, input }) =>
      verifyScoreAnchor(ctx.db, requireChain(ctx), { userId: ctx.user.id, scoreId: input.scoreId }),
    ),
});
