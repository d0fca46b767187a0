import { z } from "zod";
import { publicUserSchema } from "../server/auth/schemas";
import { profileLimits } from "../server/profile/limits";
import { getProfile, updateProfile } from "../server/profile/profile";
import { financialProfileSchema, profilePatchSchema } from "../server/profile/schemas";
import { protectedProcedure, router } from "../server/trpc";

const tags = ["profile"];
const profileOutput = z.object({ user: publicUserSchema, profile: financialProfileSchema });

export const profileRouter = router({
  get: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/profile",
        tags,
        summary: "The caller and their financial profile",
        protect: true,
      },
    })
    .input(z.void())
    .output(profileOutput)
    .query(({ ctx }) => getProfile(ctx.db, ctx.user)),

  update: protectedProcedure
    .meta({
      openapi: {
        method: "PATCH",
        path: "/profile",
        tags,
        summary: "Change the name or financial profile",
        protect: true,
      },
    })
    .input(profilePatchSchema)
    .output(profileOutput)
    .mutation(({ ctx, input }) =>
      updateProfile(ctx.db, ctx.request, ctx.user.id, input, profileLimits(ctx.config)),
    ),
});
