import type { Database } from "../../db/client";
import { conflict } from "../errors";
import { kycStatusOf } from "./kyc-queries";

/**
 * Money does not go out to a customer whose KYC is in review (a rescreen hit puts a verified customer back
 * there) until a reviewer decides. Only staff disburse, so the code may say why; the customer never sees it.
 */
export type ComplianceHoldParams = { userId: string };

export async function assertNoComplianceHold(db: Database, params: ComplianceHoldParams): Promise<void> {
  if ((await kycStatusOf(db, params.userId)) === "review") {
    throw conflict(
      "COMPLIANCE_HOLD",
      "The borrower's compliance review is open: nothing is paid out until a reviewer decides",
    );
  }
}
