import { beforeAll, describe, expect, it } from "bun:test";
import { eq } from "drizzle-orm";
import { auditLog } from "../../db/schema";
import type { AppDeps } from "../../server/context";
import { callerFor, testDeps } from "../helpers/app";
import { registerTestUser } from "../helpers/users";

let deps: AppDeps;
beforeAll(async () => {
  deps = await testDeps();
});

describe("financial profile", () => {
  it("starts empty and stores every field scoring needs, money as exact decimal strings", async () => {
    const { caller } = await registerTestUser(deps);
    expect((await caller.profile.get()).profile.annualIncome).toBeNull();
    const { profile } = await caller.profile.update({
      dateOfBirth: "1984-06-30",
      dependants: 2,
      annualIncome: "64000.10",
      monthlyDebtPayments: 1250.5,
      employmentStatus: "employed",
      employmentYears: 6.5,
      housing: "mortgage",
      openCreditLines: 7,
      realEstateLoans: 1,
      revolvingUtilizationPercent: 23.4,
      pastDue30to59: 1,
      pastDue60to89: 0,
      pastDue90Plus: 0,
      creditHistoryYears: 12,
      recentInquiries: 2,
    });
    expect(profile).toMatchObject({
      dateOfBirth: "1984-06-30",
      annualIncome: "64000.10",
      monthlyDebtPayments: "1250.50",
      employmentYears: 6.5,
      revolvingUtilizationPercent: 23.4,
      walletAddress: null,
    });
  });

  it("changes only the fields sent and clears a field sent as null", async () => {
    const { caller } = await registerTestUser(deps);
    await caller.profile.update({ dependants: 3, recentInquiries: 1 });
    const { profile } = await caller.profile.update({ dependants: null });
    expect(profile.dependants).toBeNull();
    expect(profile.recentInquiries).toBe(1);
  });

  it("audits a change with the names of the fields, not their values", async () => {
    const { caller, user } = await registerTestUser(deps);
    await caller.profile.update({ annualIncome: "50000.00", name: "New Name" });
    const [entry] = await deps.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "profile.update"))
      .orderBy(auditLog.seq);
    expect(entry).toBeDefined();
    const mine = (await deps.db.select().from(auditLog).where(eq(auditLog.actorId, user.id))).find(
      (row) => row.action === "profile.update",
    );
    expect(mine?.details).toEqual({ fields: ["annualIncome", "name"] });
  });

  it("rejects bad values and changes nothing", async () => {
    const { caller } = await registerTestUser(deps);
    await caller.profile.update({ dependants: 1 });
    const bad = [
      { dependants: -1 },
      { annualIncome: "12.345" },
      { walletAddress: "0x123" },
      { dateOfBirth: "2999-01-01" },
      { employmentStatus: "astronaut" },
      { unknownField: 1 },
    ];
    for (const input of bad) {
      await expect(caller.profile.update(input as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    expect((await caller.profile.get()).profile.dependants).toBe(1);
  });

  it("refuses a wallet address in a patch: a wallet is linked only by a signed challenge", async () => {
    const { caller } = await registerTestUser(deps);
    const walletAddress = "0x52908400098527886E0F7030069857D2E4169EE7";
    await expect(caller.profile.update({ walletAddress } as never)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect((await caller.profile.get()).profile.walletAddress).toBeNull();
  });

  it("is refused to anonymous callers", async () => {
    await expect((await callerFor(deps)).profile.get()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
