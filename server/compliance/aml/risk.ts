export type RiskLevel = "low" | "medium" | "high";

export const HIGH_RISK_SCORE = 70;
export const HIGH_RISK_OPEN_ALERTS = 3;

/**
 * A user's risk level from their open alerts: none → low; any alert scored 70 or more (structuring,
 * a high-risk counterpart, a large amount of 4× the threshold or more) or three open alerts of any score
 * → high; otherwise (a single large amount, velocity) → medium. Closed alerts do not count.
 */
export function riskLevel(openAlerts: readonly { riskScore: number }[]): RiskLevel {
  if (openAlerts.length === 0) return "low";
  if (openAlerts.length >= HIGH_RISK_OPEN_ALERTS) return "high";
  if (openAlerts.some((alert) => alert.riskScore >= HIGH_RISK_SCORE)) return "high";
  return "medium";
}

/** The level and the highest open alert score (0 without alerts). */
export function assessRisk(openAlerts: readonly { riskScore: number }[]): {
  level: RiskLevel;
  score: number;
} {
  return {
    level: riskLevel(openAlerts),
    score: openAlerts.reduce((max, alert) => Math.max(max, alert.riskScore), 0),
  };
}
