import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type Loan, loanTransitions } from "../../db/schema";
import { isStaff } from "../auth/roles";
import type { PublicUser } from "../auth/session";
import { DomainError, forbidden, notFound } from "../errors";

/** Who may see and act on a loan: the borrower, staff, and the four-eyes rules between staff. */

export type Viewer = Pick<PublicUser, "id" | "role">;

/** The borrower sees their own loans, staff see all; to anyone else a loan does not exist (404, not 403). */
export function assertCanRead(viewer: Viewer, loan: Pick<Loan, "userId">): void {
  if (loan.userId !== viewer.id && !isStaff(viewer)) throw notFound("Loan");
}

/** Actions only the borrower takes (withdraw, repay): staff who can see the loan get 403, others 404. */
export function assertBorrower(viewer: Viewer, loan: Pick<Loan, "userId">, action: string): void {
  if (loan.userId === viewer.id) return;
  if (isStaff(viewer)) throw forbidden(`Only the borrower can ${action} a loan`);
  throw notFound("Loan");
}

/** Underwriting decisions need a second person: nobody decides or pays out their own application. */
export function assertNotOwnLoan(viewer: Viewer, loan: Pick<Loan, "userId">): void {
  if (loan.userId === viewer.id) throw forbidden("You cannot decide or disburse your own loan application");
}

/** Four eyes on money out: whoever approved a loan does not also pay it out. */
export async function assertNotApprover(tx: Database, viewer: Viewer, loan: Pick<Loan, "id">): Promise<void> {
  const [approval] = await tx
    .select({ actorId: loanTransitions.actorId })
    .from(loanTransitions)
    .where(and(eq(loanTransitions.loanId, loan.id), eq(loanTransitions.toStatus, "approved")));
  if (approval?.actorId === viewer.id) {
    throw new DomainError(
      "forbidden",
      "FOUR_EYES_REQUIRED",
      "You approved this loan; another staff member must disburse it",
    );
  }
}
