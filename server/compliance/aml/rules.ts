import type { AmlConfig } from "./config";
import type { AmlHit, Movement } from "./types";

/**
 * Transaction monitoring rules, evaluated when a movement is recorded, over that movement and the user's
 * earlier ones. Each rule is a pure function returning its hit or null.
 *
 * Windows end at the new movement and include their start: "within 7 days" keeps movements at most
 * 7 × 24 h older than it. Movements later than the new one are ignored, so evaluation is the same whether
 * or not `history` already holds later rows or the new movement itself.
 *
 * Structuring and velocity describe an episode, not one movement. They are edge-triggered: they fire on
 * the movement that makes the pattern appear, and stay quiet for further movements while the pattern was
 * already present at the previous relevant movement (the open alert covers them). Once the window has
 * slid past the episode, a new one fires again. Large amounts and high-risk counterparts fire for every
 * movement, each being its own reportable event.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const formatCents = (cents: number) =>
  (cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function evidence(movements: readonly Movement[]): AmlHit["evidence"] {
  return { movementIds: movements.map((m) => m.id), amounts: movements.map((m) => m.amountCents) };
}

/** History up to and including `at`, without duplicates of `movement`, oldest first. */
function timeline(movement: Movement, history: readonly Movement[]): Movement[] {
  const at = movement.occurredAt.getTime();
  const earlier = history.filter((m) => m.id !== movement.id && m.occurredAt.getTime() <= at);
  earlier.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  return [...earlier, movement];
}

function within(movements: readonly Movement[], end: number, spanMs: number): Movement[] {
  return movements.filter((m) => {
    const t = m.occurredAt.getTime();
    return t <= end && end - t <= spanMs;
  });
}

/**
 * True when `count(window ending at the movement before the last one) >= needed`: the pattern already
 * existed before the last movement joined it.
 */
function alreadyPresent(relevant: readonly Movement[], spanMs: number, needed: number): boolean {
  const previous = relevant.at(-2);
  if (!previous) return false;
  const before = relevant.slice(0, -1);
  return within(before, previous.occurredAt.getTime(), spanMs).length >= needed;
}

export function largeAmountRule(movement: Movement, config: AmlConfig): AmlHit | null {
  if (movement.amountCents < config.reportingThresholdCents) return null;
  const multiple = movement.amountCents / config.reportingThresholdCents;
  return {
    rule: "large_amount",
    evidence: evidence([movement]),
    // 50 at the threshold, +10 for each doubling, at most 90.
    riskScore: Math.min(90, Math.round(50 + 10 * Math.log2(multiple))),
    detail: `Amount ${formatCents(movement.amountCents)} is at or above the reporting threshold of ${formatCents(config.reportingThresholdCents)}`,
  };
}

export function structuringRule(
  movement: Movement,
  history: readonly Movement[],
  config: AmlConfig,
): AmlHit | null {
  const floor = Math.ceil(config.reportingThresholdCents * config.structuringFloorRatio);
  const inBand = (m: Movement) => m.amountCents >= floor && m.amountCents < config.reportingThresholdCents;
  if (!inBand(movement)) return null;
  const span = config.structuringWindowDays * DAY;
  const relevant = timeline(movement, history).filter(inBand);
  const episode = within(relevant, movement.occurredAt.getTime(), span);
  if (episode.length < config.structuringCount) return null;
  if (alreadyPresent(relevant, span, config.structuringCount)) return null;
  return {
    rule: "structuring",
    evidence: evidence(episode),
    // Deliberately staying under the threshold is an offence in itself (31 U.S.C. 5324): high from the start.
    riskScore: Math.min(95, 70 + 5 * (episode.length - config.structuringCount)),
    detail: `${episode.length} amounts between ${formatCents(floor)} and ${formatCents(config.reportingThresholdCents)} within ${config.structuringWindowDays} days`,
  };
}

export function velocityRule(
  movement: Movement,
  history: readonly Movement[],
  config: AmlConfig,
): AmlHit | null {
  const span = config.velocityWindowHours * HOUR;
  const relevant = timeline(movement, history);
  const episode = within(relevant, movement.occurredAt.getTime(), span);
  if (episode.length <= config.velocityMaxCount) return null;
  if (alreadyPresent(relevant, span, config.velocityMaxCount + 1)) return null;
  return {
    rule: "velocity",
    evidence: evidence(episode),
    riskScore: Math.min(80, 40 + 5 * (episode.length - config.velocityMaxCount - 1)),
    detail: `${episode.length} movements within ${config.velocityWindowHours} hours (more than ${config.velocityMaxCount})`,
  };
}

export function highRiskCountryRule(movement: Movement, config: AmlConfig): AmlHit | null {
  const country = movement.counterpartyCountry?.trim().toUpperCase();
  if (!country || !config.highRiskCountries.some((listed) => listed.trim().toUpperCase() === country))
    return null;
  return {
    rule: "high_risk_country",
    evidence: evidence([movement]),
    riskScore: 80,
    detail: `Counterparty in high-risk jurisdiction ${country}`,
  };
}

/** Every rule's hit for a newly recorded movement, given the user's earlier movements (7 days' worth suffice by default). */
export function evaluateMovement(
  movement: Movement,
  history: readonly Movement[],
  config: AmlConfig,
): AmlHit[] {
  return [
    largeAmountRule(movement, config),
    structuringRule(movement, history, config),
    velocityRule(movement, history, config),
    highRiskCountryRule(movement, config),
  ].filter((hit): hit is AmlHit => hit !== null);
}

/** How far back `history` must reach for {@link evaluateMovement} to see every window. */
export function historyWindowMs(config: AmlConfig): number {
  return Math.max(config.structuringWindowDays * DAY, config.velocityWindowHours * HOUR) * 2;
}
