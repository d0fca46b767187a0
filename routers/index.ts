import { router } from "../server/trpc";
import { accountRecoveryRouter } from "./account-recovery";
import { adminRouter } from "./admin";
import { authRouter } from "./auth";
import { casesRouter } from "./cases";
import { chainRouter } from "./chain";
import { complianceRouter } from "./compliance";
import { creditRouter } from "./credit";
import { healthRouter } from "./health";
import { loansRouter } from "./loans";
import { mfaRouter } from "./mfa";
import { noticesRouter } from "./notices";
import { paymentsRouter } from "./payments";
import { productsRouter } from "./products";
import { profileRouter } from "./profile";
import { sanctionsRouter } from "./sanctions";
import { servicingRouter } from "./servicing";
import { walletRouter } from "./wallet";
import { webhooksRouter } from "./webhooks";

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  accountRecovery: accountRecoveryRouter,
  mfa: mfaRouter,
  admin: adminRouter,
  profile: profileRouter,
  credit: creditRouter,
  notices: noticesRouter,
  // Before `loans`: REST routes match in order, and /loans/portfolio is not /loans/{id}.
  servicing: servicingRouter,
  loans: loansRouter,
  payments: paymentsRouter,
  products: productsRouter,
  wallet: walletRouter,
  chain: chainRouter,
  compliance: complianceRouter,
  sanctions: sanctionsRouter,
  cases: casesRouter,
  webhooks: webhooksRouter,
});

export type AppRouter = typeof appRouter;
