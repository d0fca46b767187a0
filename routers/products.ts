import { z } from "zod";
import {
  createProductInput,
  productListSchema,
  productSchema,
  updateProductInput,
} from "../server/loans/products/schemas";
import { createProduct, listProducts, updateProduct } from "../server/loans/products/service";
import { loanSettings } from "../server/loans/settings";
import { roleProcedure, router } from "../server/trpc";

const tags = ["admin"];
/** Only admins define what the platform lends. */
const adminProcedure = roleProcedure("admin");

export const productsRouter = router({
  create: adminProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/admin/products",
        tags,
        summary: "Create a loan product (version 1); fields left out take the default product's values",
        protect: true,
      },
    })
    .input(createProductInput)
    .output(productSchema)
    .mutation(({ ctx, input }) =>
      createProduct(
        ctx.db,
        { settings: loanSettings(ctx.config) },
        { meta: { ...ctx.request, actorId: ctx.user.id }, actorId: ctx.user.id, fields: input },
      ),
    ),

  update: adminProcedure
    .meta({
      openapi: {
        method: "PATCH",
        path: "/admin/products/{id}",
        tags,
        summary: "Edit a loan product (a new version; loans keep theirs) or retire it (status: retired)",
        description:
          "Any term given makes a new version; status alone does not. The default product cannot be retired (409).",
        protect: true,
      },
    })
    .input(updateProductInput)
    .output(productSchema)
    .mutation(({ ctx, input }) => {
      const { id, status, ...fields } = input;
      return updateProduct(
        ctx.db,
        { settings: loanSettings(ctx.config) },
        {
          meta: { ...ctx.request, actorId: ctx.user.id },
          actorId: ctx.user.id,
          productId: id,
          status,
          fields,
        },
      );
    }),

  list: adminProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/admin/products",
        tags,
        summary: "Every loan product with its current version, retired ones included",
        protect: true,
      },
    })
    .input(z.object({}))
    .output(productListSchema)
    .query(async ({ ctx }) => ({
      items: await listProducts(ctx.db, { settings: loanSettings(ctx.config) }, { includeRetired: true }),
    })),
});
