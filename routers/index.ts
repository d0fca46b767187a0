import { router } from "../server/trpc";
import { authRouter } from "./auth";
import { healthRouter } from "./health";
import { profileRouter } from "./profile";

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  profile: profileRouter,
});

export type AppRouter = typeof appRouter;
