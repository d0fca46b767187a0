/**
 * Regulation B (12 CFR 1002.6(b)(2)(ii)): an empirically derived, statistically sound scoring system
 * may use age only if the age of an elderly applicant (62 or older, § 1002.2) is not assigned a
 * negative factor or value, i.e. nothing less favourable than the most favoured younger group gets:
 * applicants aged 62+ receive at least as many points for age as any other age group. The
 * trainer pools every age from 62 up into one bin and asserts this rule; the artifact schema and the
 * tests assert it again on the committed scorecard.
 */
export const ELDERLY_AGE = 62;

type AgeBin = { lower: number | null; upper: number | null; points: number };

export type AgeRuleCheck = {
  satisfied: boolean;
  /** Lowest points any applicant aged 62+ can receive for age. */
  pointsFrom62: number;
  /** Highest points any other group receives for age (younger bins and the unknown-age bin). */
  maxOtherPoints: number;
};

export function checkAgeRule(bins: readonly AgeBin[], missingPoints: number): AgeRuleCheck {
  const covers62Plus = (bin: AgeBin): boolean => bin.upper === null || bin.upper > ELDERLY_AGE;
  const elderly = bins.filter(covers62Plus);
  const others = bins.filter((bin) => bin.lower === null || bin.lower < ELDERLY_AGE);
  const pointsFrom62 = Math.min(...elderly.map((bin) => bin.points));
  // A bin that straddles 62 counts on both sides: younger members get its points too, which is allowed.
  const maxOtherPoints = Math.max(missingPoints, ...others.map((bin) => bin.points));
  return { satisfied: elderly.length > 0 && pointsFrom62 >= maxOtherPoints, pointsFrom62, maxOtherPoints };
}
