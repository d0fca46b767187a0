import { and, asc, eq, gt, ilike, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { type UserRole, users } from "../../db/schema";
import { appendAudit, type RequestMeta } from "../audit/log";
import { type PublicUser, publicUserColumns } from "../auth/session";
import { invalidInput, notFound } from "../errors";

export async function listUsers(
  db: Database,
  query: { email?: string; role?: UserRole; cursor?: string; limit: number },
): Promise<{ items: PublicUser[]; nextCursor: string | null }> {
  const conditions: SQL[] = [];
  if (query.email) conditions.push(ilike(users.email, `%${query.email.replace(/[%_\\]/g, "\\$&")}%`));
  if (query.role) conditions.push(eq(users.role, query.role));
  if (query.cursor) conditions.push(gt(users.id, query.cursor));
  const rows = await db
    .select(publicUserColumns)
    .from(users)
    .where(and(...conditions))
    .orderBy(asc(users.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  return { items, nextCursor: rows.length > query.limit ? (items.at(-1)?.id ?? null) : null };
}

/** Used by the admin API and by the `user:role` command; audited either way. */
export async function setUserRole(
  db: Database,
  meta: RequestMeta,
  params: { userId: string; role: UserRole },
): Promise<PublicUser> {
  if (meta.actorId === params.userId && params.role !== "admin") {
    throw invalidInput("SELF_DEMOTION", "An admin cannot remove their own admin role");
  }
  return db.transaction(async (tx) => {
    const [before] = await tx.select({ role: users.role }).from(users).where(eq(users.id, params.userId));
    if (!before) throw notFound("User");
    const [user] = await tx
      .update(users)
      .set({ role: params.role, updatedAt: new Date() })
      .where(eq(users.id, params.userId))
      .returning(publicUserColumns);
    if (!user) throw notFound("User");
    await appendAudit(tx, meta, {
      action: "admin.role_grant",
      subjectType: "user",
      subjectId: params.userId,
      details: { from: before.role, to: params.role },
    });
    return user;
  });
}
