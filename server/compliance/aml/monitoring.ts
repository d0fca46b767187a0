import { and, asc, eq, gt, gte, lte, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../../db/client";
import { type AmlAlert, amlAlerts, type MoneyMovement, moneyMovements, users } from "../../../db/schema";
import { appendAudit, type RequestMeta } from "../../audit/log";
import type { Config } from "../../config";
import { isIsoCountryCode } from "../../countries";
import { conflict, forbidden, invalidInput, notFound } from "../../errors";
import { formatMoney } from "../../money";
import { seqPage } from "../../pagination";
import { attachAlertsToCase } from "../cases/open";
import { type AmlConfig, DEFAULT_AML_CONFIG } from "./config";
import { assessRisk, type RiskLevel } from "./risk";
import { evaluateMovement, historyWindowMs } from "./rules";
import type { AmlRule } from "./types";

/** The monitoring rules' settings from the configuration (threshold, velocity, high-risk countries). */
export function amlConfig(config: Config): AmlConfig {
  return {
    ...DEFAULT_AML_CONFIG,
    reportingThresholdCents: config.AML_REPORTING_THRESHOLD,
    velocityMaxCount: config.AML_VELOCITY.count,
    velocityWindowHours: config.AML_VELOCITY.windowSeconds / 3600,
    highRiskCountries: config.HIGH_RISK_COUNTRIES,
  };
}

export type MovementInput = {
  userId: string;
  kind: MoneyMovement["kind"];
  direction: MoneyMovement["direction"];
  /** Positive integer cents. */
  amountCents: number;
  /** ISO 3166-1 alpha-2 of the other party, when known. */
  counterpartyCountry?: string | null;
  /** What the movement belongs to, e.g. the loan id. */
  reference?: string | null;
  /**
   * Defaults to now, read once the user's lock is held, so one user's movements are evaluated in the order they
   * commit. A caller that passes the time must take it after `lockMovementsOf` in the same transaction. A
   * backdated movement is evaluated against the movements recorded before it only.
   */
  occurredAt?: Date;
};

// Any constant; with the user's id it names the lock that keeps one user's movements in order.
const MOVEMENT_LOCK_NAMESPACE = 7_342_010;

/**
 * Holds the user's movement lock until the transaction ends. A money action takes it before it reads the clock,
 * so of two concurrent movements of one user the one that commits first also has the earlier time and is
 * evaluated first; the second sees it. Taking it again in the same transaction is free.
 */
export async function lockMovementsOf(tx: Database, userId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${MOVEMENT_LOCK_NAMESPACE}, hashtext(${userId}))`);
}

/**
 * Puts one movement on the ledger and runs the monitoring rules over it and the user's earlier movements,
 * raising an alert (audited as `aml.alert_raised`) for each hit. Call it inside the transaction of the
 * disbursement or repayment it records, so the movement, its alerts and the money action commit together; it
 * opens a savepoint of its own, so it is atomic on a plain handle too. One user's movements are evaluated one at
 * a time (an advisory lock until the transaction ends): two concurrent movements each see the other.
 */
export async function recordMovement(
  db: Database,
  meta: RequestMeta,
  aml: AmlConfig,
  input: MovementInput,
): Promise<{ movement: MoneyMovement; alerts: AmlAlert[] }> {
  if (!Number.isSafeInteger(input.amountCents) || input.amountCents <= 0) {
    throw invalidInput("INVALID_AMOUNT", "amountCents must be a positive whole number of cents");
  }
  const counterpartyCountry = input.counterpartyCountry?.trim().toUpperCase() || null;
  if (counterpartyCountry && !isIsoCountryCode(counterpartyCountry)) {
    throw invalidInput("INVALID_COUNTRY", "counterpartyCountry must be an ISO 3166-1 alpha-2 code");
  }
  return db.transaction(async (tx) => {
    await lockMovementsOf(tx, input.userId);
    const [movement] = await tx
      .insert(moneyMovements)
      .values({
        userId: input.userId,
        kind: input.kind,
        direction: input.direction,
        amountCents: input.amountCents,
        counterpartyCountry,
        reference: input.reference ?? null,
        occurredAt: input.occurredAt ?? new Date(),
      })
      .returning();
    if (!movement) throw new Error("movement insert returned no row");

    const at = movement.occurredAt.getTime();
    const history = await tx
      .select()
      .from(moneyMovements)
      .where(
        and(
          eq(moneyMovements.userId, input.userId),
          gte(moneyMovements.occurredAt, new Date(at - historyWindowMs(aml))),
          lte(moneyMovements.occurredAt, movement.occurredAt),
        ),
      );
    const hits = evaluateMovement(movement, history, aml);

    const alerts: AmlAlert[] = [];
    for (const hit of hits) {
      const [alert] = await tx
        .insert(amlAlerts)
        .values({
          userId: input.userId,
          rule: hit.rule,
          evidence: hit.evidence,
          detail: hit.detail,
          riskScore: hit.riskScore,
        })
        .returning();
      if (!alert) throw new Error("alert insert returned no row");
      await appendAudit(tx, meta, {
        action: "aml.alert_raised",
        subjectType: "aml_alert",
        subjectId: alert.id,
        details: {
          userId: input.userId,
          rule: hit.rule,
          riskScore: hit.riskScore,
          movementIds: hit.evidence.movementIds,
        },
      });
      alerts.push(alert);
    }
    await attachAlertsToCase(tx, { meta, userId: input.userId, alertIds: alerts.map((alert) => alert.id) });
    return { movement, alerts };
  });
}

/** Open alerts make the level: none → low; a score of 70 or more, or three open alerts → high; else medium. */
export async function assessUserRisk(
  db: Database,
  userId: string,
): Promise<{ level: RiskLevel; score: number; openAlerts: number }> {
  const open = await db
    .select({ riskScore: amlAlerts.riskScore })
    .from(amlAlerts)
    .where(and(eq(amlAlerts.userId, userId), eq(amlAlerts.status, "open")));
  return { ...assessRisk(open), openAlerts: open.length };
}

/** For loans eligibility: a `high` user cannot apply until their alerts are closed. */
export async function riskLevelOf(db: Database, userId: string): Promise<RiskLevel> {
  return (await assessUserRisk(db, userId)).level;
}

export type AlertView = Omit<AmlAlert, "evidence"> & {
  userEmail: string;
  evidence: { movementIds: string[]; amounts: string[] };
};

const alertColumns = { alert: amlAlerts, userEmail: users.email };

function toView(row: { alert: AmlAlert; userEmail: string }): AlertView {
  const { evidence, ...alert } = row.alert;
  return {
    ...alert,
    userEmail: row.userEmail,
    evidence: { movementIds: evidence.movementIds, amounts: evidence.amounts.map(formatMoney) },
  };
}

export type AlertQuery = {
  status?: AmlAlert["status"];
  userId?: string;
  rule?: AmlRule;
  /** The seq of the last alert of the previous page. */
  cursor?: number;
  limit: number;
};

/** Alerts oldest first, as a queue is worked. */
export async function listAlerts(
  db: Database,
  query: AlertQuery,
): Promise<{ items: AlertView[]; nextCursor: number | null }> {
  const conditions: SQL[] = [];
  if (query.status) conditions.push(eq(amlAlerts.status, query.status));
  if (query.userId) conditions.push(eq(amlAlerts.userId, query.userId));
  if (query.rule) conditions.push(eq(amlAlerts.rule, query.rule));
  if (query.cursor) conditions.push(gt(amlAlerts.seq, query.cursor));
  const rows = await db
    .select(alertColumns)
    .from(amlAlerts)
    .innerJoin(users, eq(users.id, amlAlerts.userId))
    .where(and(...conditions))
    .orderBy(asc(amlAlerts.seq))
    .limit(query.limit + 1);
  const { page, nextCursor } = seqPage(rows, query.limit, (row) => row.alert.seq);
  return { items: page.map(toView), nextCursor };
}

export type CloseAlertParams = {
  alertId: string;
  disposition: NonNullable<AmlAlert["disposition"]>;
  note: string;
};

/** Closes an open alert with its disposition, audited in the same transaction; not on an alert about oneself. */
export async function closeAlert(
  db: Database,
  meta: RequestMeta,
  params: CloseAlertParams,
): Promise<AlertView> {
  return db.transaction(async (tx) => {
    const [alert] = await tx.select().from(amlAlerts).where(eq(amlAlerts.id, params.alertId)).for("update");
    if (!alert) throw notFound("Alert");
    if (alert.userId === meta.actorId) throw forbidden("An admin cannot close an alert about themselves");
    if (alert.status === "closed") {
      throw conflict("ALERT_ALREADY_CLOSED", "This alert is already closed", {
        disposition: alert.disposition,
      });
    }
    await tx
      .update(amlAlerts)
      .set({
        status: "closed",
        disposition: params.disposition,
        note: params.note,
        closedAt: new Date(),
        closedBy: meta.actorId,
      })
      .where(eq(amlAlerts.id, alert.id));
    await appendAudit(tx, meta, {
      action: "aml.alert_closed",
      subjectType: "aml_alert",
      subjectId: alert.id,
      details: { userId: alert.userId, rule: alert.rule, disposition: params.disposition, note: params.note },
    });
    const [row] = await tx
      .select(alertColumns)
      .from(amlAlerts)
      .innerJoin(users, eq(users.id, amlAlerts.userId))
      .where(eq(amlAlerts.id, alert.id));
    if (!row) throw notFound("Alert");
    return toView(row);
  });
}
