/** Seeded draws for the sanctions benches' synthetic names: syllable words and a skewed pool of first names. */

export const SYLLABLES = (
  "ka ra vo nov lin ta mir sa el din bar to ri an mo ha sen gu lo pe tri zan ko fa ni dro mar us vel " +
  "bek ja ro shi ten al har qui na do li vi ser gei ov ich enko ski er son berg stein ez ar ul ma"
).split(" ");

export const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * Draws from `random`: `pick` uniformly, `zipf` skewed to the front (the commonest first name is in about 6 %
 * of names, like the Muhammad variants on the real list), `makeWord` of `min`–`max` syllables, and 300 first
 * names made at once (so the draws that follow are the same as before the helper existed).
 */
export function nameDraws(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const zipf = <T>(items: readonly T[]): T => items[Math.floor(items.length * random() ** 2)] as T;
  const makeWord = (min: number, max: number) => {
    const count = min + Math.floor(random() * (max - min + 1));
    let word = "";
    for (let i = 0; i < count; i++) word += pick(SYLLABLES);
    return word;
  };
  return {
    pick,
    zipf,
    makeWord,
    firstNames: () => Array.from({ length: 300 }, () => capital(makeWord(2, 3))),
  };
}
