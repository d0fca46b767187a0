import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { users } from "../../db/schema";
import { notFound } from "../errors";
import { assessUserRisk } from "./aml/monitoring";
import type { RiskLevel } from "./aml/risk";
import { type KycState, kycStatusOf } from "./kyc-queries";

/** What a compliance officer looks up about one user: KYC status and AML risk. */
export async function complianceSummary(
  db: Database,
  userId: string,
): Promise<{
  userId: string;
  kycStatus: KycState;
  risk: { level: RiskLevel; score: number; openAlerts: number };
}> {
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId));
  if (!user) throw notFound("User");
  return { userId, kycStatus: await kycStatusOf(db, userId), risk: await assessUserRisk(db, userId) };
}
