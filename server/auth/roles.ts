import type { UserRole } from "../../db/schema";
import type { PublicUser } from "./session";

/**
 * Staff: the roles that may read any user's loans and scores and work the underwriting queue. The one list;
 * the loans and credit domains and the underwriter procedures all read it.
 */
export const STAFF_ROLES = ["underwriter", "admin"] as const satisfies readonly UserRole[];

export function isStaff(user: Pick<PublicUser, "role">): boolean {
  return (STAFF_ROLES as readonly UserRole[]).includes(user.role);
}
