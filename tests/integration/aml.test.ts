import { beforeAll, describe, expect, it } from "bun:test";
import { and, eq } from "drizzle-orm";
import { amlAlerts, auditLog, moneyMovements, users } from "../../db/schema";
import type { RequestMeta } from "../../server/audit/log";
import {
  amlConfig,
  type MovementInput,
  recordMovement,
  riskLevelOf,
} from "../../server/compliance/aml/monitoring";
import type { AppDeps } from "../../server/context";
import { callerFor, testDeps } from "../helpers/app";
import { registerTestUser } from "../helpers/users";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const start = new Date("2031-03-02T09:00:00Z").getTime();
const at = (offsetMs: number) => new Date(start + offsetMs);
const system: RequestMeta = { actorId: null, ip: null, requestId: "test:aml" };

let deps: AppDeps;
let admin: Awaited<ReturnType<typeof registerTestUser>>;

beforeAll(async () => {
  deps = await testDeps({ RATE_LIMIT_REGISTER_IP: "10000/3600" });
  const registered = await registerTestUser(deps, "AML Officer");
  await deps.db.update(users).set({ role: "admin" }).where(eq(users.id, registered.user.id));
  admin = { ...registered, caller: await callerFor(deps, { token: registered.token }) };
});

async function newUser(): Promise<string> {
  return (await registerTestUser(deps)).user.id;
}

/** Records movements one by one, each in its own transaction as the loans workflow will; returns the rules that fired. */
async function record(
  userId: string,
  movements: (Partial<MovementInput> & { amountCents: number; occurredAt: Date })[],
  on: AppDeps = deps,
): Promise<string[][]> {
  const fired: string[][] = [];
  for (const movement of movements) {
    const { alerts } = await on.db.transaction((tx) =>
      recordMovement(tx, system, amlConfig(on.config), {
        userId,
        kind: "repayment",
        direction: "in",
        ...movement,
      }),
    );
    fired.push(alerts.map((alert) => alert.rule));
  }
  return fired;
}

const alertsOf = (userId: string) => deps.db.select().from(amlAlerts).where(eq(amlAlerts.userId, userId));

describe("monitoring rules through recordMovement", () => {
  it("large amount: 10,000.00 fires, 9,999.99 does not", async () => {
    const quiet = await newUser();
    expect(await record(quiet, [{ amountCents: 999_999, occurredAt: at(0) }])).toEqual([[]]);
    const loud = await newUser();
    expect(
      await record(loud, [
        { amountCents: 1_000_000, occurredAt: at(0), kind: "disbursement", direction: "out" },
      ]),
    ).toEqual([["large_amount"]]);
    const [alert] = await alertsOf(loud);
    expect(alert).toMatchObject({ rule: "large_amount", riskScore: 50, status: "open" });
    expect(alert?.detail).toBe("Amount 10,000.00 is at or above the reporting threshold of 10,000.00");
    const [entry] = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "aml.alert_raised"), eq(auditLog.subjectId, alert?.id ?? "")));
    expect(entry?.details).toMatchObject({ userId: loud, rule: "large_amount", riskScore: 50 });
  });

  it("structuring: three amounts just below the threshold within 7 days fire, over 8 days they do not", async () => {
    const within = await newUser();
    const fired = await record(within, [
      { amountCents: 900_000, occurredAt: at(0) },
      { amountCents: 950_000, occurredAt: at(3 * DAY) },
      { amountCents: 800_000, occurredAt: at(7 * DAY) },
    ]);
    expect(fired).toEqual([[], [], ["structuring"]]);
    const [alert] = await alertsOf(within);
    expect(alert?.evidence.amounts).toEqual([900_000, 950_000, 800_000]);
    expect(alert?.evidence.movementIds).toHaveLength(3);
    expect(alert?.riskScore).toBeGreaterThanOrEqual(70);

    const spread = await newUser();
    expect(
      await record(spread, [
        { amountCents: 900_000, occurredAt: at(0) },
        { amountCents: 950_000, occurredAt: at(4 * DAY) },
        { amountCents: 800_000, occurredAt: at(8 * DAY) },
      ]),
    ).toEqual([[], [], []]);

    const belowBand = await newUser();
    expect(
      await record(belowBand, [
        { amountCents: 799_999, occurredAt: at(0) },
        { amountCents: 799_999, occurredAt: at(HOUR) },
        { amountCents: 799_999, occurredAt: at(2 * HOUR) },
      ]),
    ).toEqual([[], [], []]);
  });

  it("velocity: a sixth movement within 24 hours fires, a sixth just after them does not", async () => {
    const fast = await newUser();
    const sixInADay = Array.from({ length: 6 }, (_, i) => ({
      amountCents: 10_000,
      occurredAt: at(i * 4 * HOUR),
    }));
    expect(await record(fast, sixInADay)).toEqual([[], [], [], [], [], ["velocity"]]);

    const paced = await newUser();
    const sixOverADay = Array.from({ length: 6 }, (_, i) => ({
      amountCents: 10_000,
      occurredAt: at(i === 5 ? DAY + 60_000 : i * 4 * HOUR),
    }));
    expect(await record(paced, sixOverADay)).toEqual([[], [], [], [], [], []]);
  });

  it("velocity: movements recorded concurrently are evaluated one at a time, so the pattern fires once", async () => {
    const userId = await newUser();
    const settled = await Promise.all(
      // No occurredAt: it is taken under the user's lock, so time order is the order of evaluation.
      Array.from({ length: 8 }, (_, i) =>
        deps.db.transaction((tx) =>
          recordMovement(tx, system, amlConfig(deps.config), {
            userId,
            kind: "repayment",
            direction: "in",
            amountCents: 10_000 + i,
          }),
        ),
      ),
    );
    expect(settled.flatMap((result) => result.alerts.map((alert) => alert.rule))).toEqual(["velocity"]);
  });

  it("high-risk country: a counterparty in a listed country fires, elsewhere not", async () => {
    const userId = await newUser();
    expect(
      await record(userId, [
        { amountCents: 50_000, occurredAt: at(0), counterpartyCountry: "de" },
        { amountCents: 50_000, occurredAt: at(DAY), counterpartyCountry: "kp" },
      ]),
    ).toEqual([[], ["high_risk_country"]]);
    const [movement] = await deps.db
      .select()
      .from(moneyMovements)
      .where(and(eq(moneyMovements.userId, userId), eq(moneyMovements.counterpartyCountry, "KP")));
    expect(movement).toBeDefined();
  });

  it("reads its thresholds from the configuration", async () => {
    const strict = await testDeps({ AML_REPORTING_THRESHOLD: "5000.00", AML_VELOCITY: "2/3600" });
    const userId = await newUser();
    expect(
      await record(
        userId,
        [
          { amountCents: 500_000, occurredAt: at(0) },
          { amountCents: 1_000, occurredAt: at(60_000) },
          { amountCents: 1_000, occurredAt: at(120_000) },
        ],
        strict,
      ),
    ).toEqual([["large_amount"], [], ["velocity"]]);
  });

  it("commits nothing when the caller's transaction rolls back", async () => {
    const userId = await newUser();
    await expect(
      deps.db.transaction(async (tx) => {
        await recordMovement(tx, system, amlConfig(deps.config), {
          userId,
          kind: "disbursement",
          direction: "out",
          amountCents: 2_000_000,
          occurredAt: at(0),
        });
        throw new Error("disbursement failed");
      }),
    ).rejects.toThrow("disbursement failed");
    expect(await deps.db.select().from(moneyMovements).where(eq(moneyMovements.userId, userId))).toEqual([]);
    expect(await alertsOf(userId)).toEqual([]);
  });

  it("refuses an amount that is not a positive number of cents", async () => {
    const userId = await newUser();
    for (const amountCents of [0, -5, 10.5]) {
      await expect(record(userId, [{ amountCents, occurredAt: at(0) }])).rejects.toMatchObject({
        code: "INVALID_AMOUNT",
      });
    }
  });
});

describe("alert review", () => {
  it("derives the risk level from open alerts: high, then low once closed, audited", async () => {
    const userId = await newUser();
    expect(await riskLevelOf(deps.db, userId)).toBe("low");
    await record(userId, [{ amountCents: 50_000, occurredAt: at(0), counterpartyCountry: "IR" }]);
    expect(await riskLevelOf(deps.db, userId)).toBe("high");

    const { items } = await admin.caller.compliance.admin.alerts({ status: "open", userId });
    expect(items).toHaveLength(1);
    const [alert] = items;
    expect(alert).toMatchObject({
      rule: "high_risk_country",
      riskScore: 80,
      evidence: { amounts: ["500.00"] },
    });
    expect((await admin.caller.compliance.admin.userCompliance({ userId })).risk).toEqual({
      level: "high",
      score: 80,
      openAlerts: 1,
    });

    const { alert: closed } = await admin.caller.compliance.admin.closeAlert({
      id: alert?.id ?? "",
      disposition: "false_positive",
      note: "Counterparty is a humanitarian NGO with an OFAC general licence",
    });
    expect(closed).toMatchObject({
      status: "closed",
      disposition: "false_positive",
      closedBy: admin.user.id,
    });
    expect(await riskLevelOf(deps.db, userId)).toBe("low");
    const [entry] = await deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "aml.alert_closed"), eq(auditLog.subjectId, closed.id)));
    expect(entry).toMatchObject({
      actorId: admin.user.id,
      details: { userId, disposition: "false_positive" },
    });

    await expect(
      admin.caller.compliance.admin.closeAlert({ id: closed.id, disposition: "reported", note: "again" }),
    ).rejects.toMatchObject({ code: "CONFLICT", cause: { code: "ALERT_ALREADY_CLOSED" } });
    expect((await admin.caller.compliance.admin.alerts({ status: "closed", userId })).items).toHaveLength(1);
  });

  it("rates a single large amount medium, and three open alerts high", async () => {
    const userId = await newUser();
    await record(userId, [{ amountCents: 1_000_000, occurredAt: at(0) }]);
    expect(await riskLevelOf(deps.db, userId)).toBe("medium");
    await record(userId, [
      { amountCents: 1_000_000, occurredAt: at(10 * DAY) },
      { amountCents: 1_000_000, occurredAt: at(20 * DAY) },
    ]);
    expect(await riskLevelOf(deps.db, userId)).toBe("high");
  });

  it("answers 404 for an unknown alert and does not let an admin close an alert about themselves", async () => {
    await expect(
      admin.caller.compliance.admin.closeAlert({
        id: crypto.randomUUID(),
        disposition: "escalated",
        note: "x",
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      admin.caller.compliance.admin.userCompliance({ userId: crypto.randomUUID() }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await record(admin.user.id, [{ amountCents: 1_000_000, occurredAt: at(0) }]);
    const [own] = await alertsOf(admin.user.id);
    await expect(
      admin.caller.compliance.admin.closeAlert({
        id: own?.id ?? "",
        disposition: "false_positive",
        note: "mine",
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
