import { isAddress } from "viem";
import { z } from "zod";
import { successSchema } from "../server/auth/schemas";
import { protectedProcedure, router } from "../server/trpc";
import {
  createWalletChallenge,
  getLinkedWallet,
  linkWallet,
  siweSettings,
  unlinkWallet,
} from "../server/wallet/link";

const tags = ["wallet"];

export const addressSchema = z
  .string({ error: "address is required" })
  .refine(
    (value) => isAddress(value, { strict: false }),
    "address must be an Ethereum address (0x + 40 hex)",
  );

const linkedWalletSchema = z.object({
  address: z.string().nullable(),
  anchorConsent: z.boolean(),
  linkedAt: z.date().nullable(),
});

export const walletRouter = router({
  get: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/wallet",
        tags,
        summary: "The caller's linked wallet, if any",
        protect: true,
      },
    })
    .input(z.void())
    .output(linkedWalletSchema)
    .query(({ ctx }) => getLinkedWallet(ctx.db, ctx.user.id)),

  challenge: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/wallet/challenge",
        tags,
        summary: "A one-time Sign-In with Ethereum (EIP-4361) message to sign with the wallet's key",
        protect: true,
      },
    })
    .input(z.object({ address: addressSchema }))
    .output(z.object({ message: z.string(), expiresAt: z.date() }))
    .mutation(({ ctx, input }) =>
      createWalletChallenge(ctx.db, siweSettings(ctx.config), {
        userId: ctx.user.id,
        address: input.address,
      }),
    ),

  link: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/wallet/link",
        tags,
        summary: "Link the wallet that signed the challenge (and consent, or not, to anchor scores under it)",
        description:
          "With anchorConsent, your latest score is anchored under the wallet (if it was not yet) and the wallet's " +
          "activity is read for scoring; without it, neither.",
        protect: true,
      },
    })
    .input(
      z.object({
        message: z.string({ error: "message is required" }).min(1).max(4_000),
        signature: z
          .string({ error: "signature is required" })
          .regex(/^0x[0-9a-fA-F]{130,}$/, "signature must be a 0x-prefixed hex signature")
          .max(2_000)
          .transform((value) => value as `0x${string}`),
        anchorConsent: z
          .boolean()
          .default(true)
          .meta({ description: "Anchor scores under this wallet (public) instead of a salted hash" }),
      }),
    )
    .output(linkedWalletSchema)
    .mutation(({ ctx, input }) =>
      linkWallet(
        ctx.db,
        siweSettings(ctx.config),
        ctx.request,
        { userId: ctx.user.id, ...input },
        { chain: ctx.chain, jobs: ctx.jobs },
      ),
    ),

  unlink: protectedProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/wallet",
        tags,
        summary: "Unlink the caller's wallet",
        protect: true,
      },
    })
    .input(z.void())
    .output(successSchema)
    .mutation(async ({ ctx }) => {
      await unlinkWallet(ctx.db, ctx.request, ctx.user.id);
      return { success: true as const };
    }),
});
