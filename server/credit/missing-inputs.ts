import { scoreBand } from "../score-bands";
import type { Reason, ScoreResult } from "./inputs";
import { type Declared, type Fill, GROUPS, type Group, type WorstCaseSettings } from "./missing-input-groups";

/**
 * No gaming the score by leaving inputs out, for any engine.
 *
 * An engine scores a missing input however its model says (the scorecard gives some an average weight of
 * evidence, a tree model sends them down whichever branch training chose). That can make "not provided" score
 * better than a bad value: leaving income out when the debt-to-income is poor. So, at the level of what the
 * borrower declares (the profile's fields, and the activity of a wallet they link), a missing input is scored
 * as the worst value they could have declared for it, over every feature that reads it: the engine is asked
 * with candidate values filled in and the lowest score stands, unless the engine's own answer is lower still.
 *
 * The candidates cover each input's whole declarable range: one value at each end of every interval the
 * engine's own cut points make when it gives them (`ProbePoints`), otherwise its bounds and a dense grid
 * between; so for an engine whose score is monotone or piecewise constant between the points it names, the
 * minimum over one input is the true one. Inputs that act together (income and debt, through debt-to-income)
 * are one group. Groups are searched one after the other, repeated until nothing improves (exact for additive
 * engines such as the scorecard and the rules); then, since the trees' features interact, the worst few
 * values of every missing group are tried in every combination (JOINT_BUDGET predictions at most), and the
 * one-at-a-time search resumes from the lowest combination when it is lower still.
 */

export type { Declared, ProbePoints, WorstCaseSettings } from "./missing-input-groups";

const MAX_PASSES = 3;
const MAX_REASONS = 4;
/** Predictions the joint search may spend on combinations: its cost is bounded whatever is missing. */
const JOINT_BUDGET = 1024;

/** An engine over what the borrower declared: its full answer, and its score alone for the search. */
export type DeclaredScorer = {
  score: (declared: Declared) => ScoreResult;
  predict: (declared: Declared) => number;
};

/**
 * The joint part of the search. A group whose candidates all scored alike in the one-at-a-time passes keeps
 * only its current value (the engine does not read it: the wallet, for the trees). Each other group keeps its
 * lowest candidates as those passes last scored them, as many as JOINT_BUDGET allows across the groups (at
 * least two each), and every combination of those is scored, up to JOINT_BUDGET predictions in all. Returns the
 * lowest combination found.
 */
function jointWorst(
  engine: DeclaredScorer,
  declared: Declared,
  groups: readonly Group[],
  candidates: ReadonlyMap<string, Fill[]>,
  lastScores: ReadonlyMap<string, number[]>,
  chosen: ReadonlyMap<string, Fill>,
): { score: number; fills: Map<string, Fill> } {
  const varied = groups.filter((group) => {
    const scores = lastScores.get(group.id) ?? [];
    return scores.some((score) => score !== scores[0]);
  });
  // One group that matters was searched whole already.
  if (varied.length < 2) return { score: Number.POSITIVE_INFINITY, fills: new Map() };
  const perGroup = Math.max(2, Math.floor(JOINT_BUDGET ** (1 / varied.length)));
  const kept = groups.map((group) => {
    const current = chosen.get(group.id);
    // Left as it is (missing, or at its current value): nothing to combine.
    if (!varied.includes(group)) return [current ?? null];
    const all = candidates.get(group.id) ?? [];
    const scores = lastScores.get(group.id) ?? [];
    const lowest: (Fill | null)[] = all
      .map((fill, i) => ({ fill, score: scores[i] ?? Number.POSITIVE_INFINITY }))
      .sort((a, b) => a.score - b.score)
      .slice(0, perGroup)
      .map((item) => item.fill);
    // The current worst value stays in the running, so the search can only improve on it.
    if (current && !lowest.includes(current)) lowest.push(current);
    return lowest;
  });
  let best = { score: Number.POSITIVE_INFINITY, fills: new Map<string, Fill>() };
  let spent = 0;
  const visit = (index: number, current: Declared, fills: Map<string, Fill>) => {
    if (spent >= JOINT_BUDGET) return;
    if (index === groups.length) {
      spent++;
      const score = engine.predict(current);
      if (score < best.score) best = { score, fills: new Map(fills) };
      return;
    }
    const group = groups[index] as Group;
    for (const fill of kept[index] ?? []) {
      if (fill) fills.set(group.id, fill);
      visit(index + 1, fill ? fill(current) : current, fills);
    }
    fills.delete(group.id);
  };
  visit(0, declared, new Map());
  return best;
}

/**
 * Scores what the borrower declared with any engine, a missing input counting as the worst value they could
 * have declared for it. The answer is the engine's own when that is already as low; otherwise the worst case's
 * score, with its reasons, each reason that comes from a filled-in input named as that input "not provided"
 * (never age). `missingInputs` stays the engine's: what was actually missing.
 */
export function scoreMissingAsWorst(
  engine: DeclaredScorer,
  declared: Declared,
  settings: WorstCaseSettings,
): ScoreResult {
  const native = engine.score(declared);
  const missing = GROUPS.filter((group) => group.missing(declared));
  if (missing.length === 0) return native;

  const chosen = new Map<string, Fill>();
  const candidates = new Map(missing.map((group) => [group.id, group.candidates(declared, settings)]));
  const apply = (except?: string) =>
    [...chosen].reduce((current, [id, fill]) => (id === except ? current : fill(current)), declared);
  // Smallest searches first; a group is searched again only when another group's value changed since.
  const order = [...missing].sort(
    (a, b) => (candidates.get(a.id)?.length ?? 0) - (candidates.get(b.id)?.length ?? 0),
  );
  // A group stays missing (the engine's own treatment) unless some declarable value of it scores lower.
  let lowest = native.score;
  // Each group's candidates as last scored, with the other groups at their worst at the time.
  const lastScores = new Map<string, number[]>();
  const descend = () => {
    const stale = new Set(order.map((group) => group.id));
    for (let pass = 0; pass < MAX_PASSES && stale.size > 0; pass++) {
      for (const group of order) {
        if (!stale.delete(group.id)) continue;
        const others = apply(group.id);
        let changed = false;
        const scores: number[] = [];
        lastScores.set(group.id, scores);
        for (const fill of candidates.get(group.id) ?? []) {
          const score = engine.predict(fill(others));
          scores.push(score);
          if (score < lowest) {
            lowest = score;
            chosen.set(group.id, fill);
            changed = true;
          }
        }
        if (changed) for (const other of order) if (other !== group) stale.add(other.id);
      }
    }
  };
  descend();
  // One input at a time stops where no single change lowers the score; with interacting features (trees) a
  // joint change may still. So the worst few values of each group are also tried in every combination.
  if (order.length > 1) {
    const joint = jointWorst(engine, declared, order, candidates, lastScores, chosen);
    if (joint.score < lowest) {
      lowest = joint.score;
      chosen.clear();
      for (const [id, fill] of joint.fills) chosen.set(id, fill);
      descend();
    }
  }
  if (chosen.size === 0) return native;
  const worst = engine.score(apply());

  // A reason depends on a filled-in group when leaving that group out again changes or removes it.
  const filled = missing.filter((group) => chosen.has(group.id));
  const without = new Map(filled.map((group) => [group.id, engine.score(apply(group.id)).reasons]));
  const reasons = new Map<string, Reason>();
  for (const reason of worst.reasons) {
    const source = filled.find((group) => {
      const other = without.get(group.id)?.find((item) => item.code === reason.code);
      return other?.impact !== reason.impact;
    });
    const named = source ? source.reason(declared) : { code: reason.code, description: reason.description };
    if (!named) continue;
    const known = reasons.get(named.code);
    reasons.set(named.code, { ...named, impact: (known?.impact ?? 0) + reason.impact });
  }
  const ordered = [...reasons.values()].sort((a, b) => b.impact - a.impact || (a.code < b.code ? -1 : 1));
  return {
    ...worst,
    band: scoreBand(worst.score),
    reasons: ordered.slice(0, MAX_REASONS),
    missingInputs: native.missingInputs,
  };
}
