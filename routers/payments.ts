import { z } from "zod";
import { amlConfig } from "../server/compliance/aml/monitoring";
import { loanSettings } from "../server/loans/settings";
import { providerEventSchema, webhookResultSchema } from "../server/payments/schemas";
import { receiveProviderEvent } from "../server/payments/webhook";
import { SIGNATURE_HEADER } from "../server/security/signature";
import { publicProcedure, router } from "../server/trpc";

/** Documents the header (the adapter passes headers through; the domain function checks it). */
const signatureHeaders = z.object({
  [SIGNATURE_HEADER]: z.string().meta({ description: "t=<unix seconds>,v1=<HMAC-SHA256 hex>" }),
});

export const paymentsRouter = router({
  /**
   * Called by the payment provider, without a session: the signature over the raw body is the credential. The
   * input schema documents the body; the domain function reads the raw bytes the signature covers.
   */
  webhook: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/payments/webhook",
        tags: ["payments"],
        summary: "The payment provider's signed event: a payment settled or failed",
        description:
          `Signed with HMAC-SHA256 under PAYMENTS_WEBHOOK_SECRET: header \`${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex>\` ` +
          'over "<t>.<raw body>". A bad signature, or one more than 5 minutes old, is a 400 and changes nothing; ' +
          "a replayed eventId answers outcome duplicate and changes nothing. 503 PAYMENTS_UNAVAILABLE while no secret is configured.",
        protect: false,
        requestHeaders: signatureHeaders,
      },
    })
    .input(providerEventSchema)
    .output(webhookResultSchema)
    .mutation(({ ctx }) =>
      receiveProviderEvent(
        ctx.db,
        ctx.request,
        {
          outbox: { chain: ctx.chain, jobs: ctx.jobs },
          aml: amlConfig(ctx.config),
          delinquency: loanSettings(ctx.config).delinquency,
          payments: ctx.payments,
        },
        { rawBody: ctx.request.rawBody, signature: ctx.request.webhookSignature },
      ),
    ),
});
