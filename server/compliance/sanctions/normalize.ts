/**
 * Name normalisation for screening. Both the list's names and the applicant's go through the same steps,
 * so `PÉREZ-LÓPEZ, José M.` and `jose m perez lopez` become the same tokens:
 * letters without their accents (NFKD, marks dropped, plus the few letters NFKD leaves whole: ß, æ, ø, ł…),
 * lower case, apostrophes removed inside words (O'Brien → obrien), dotted abbreviations joined
 * (S.A. → sa), every other punctuation a word break, and noise words dropped (titles such as `dr`,
 * `sheikh`; legal forms such as `ltd`, `llc`, `sa`; `the`, `of`, `and`). Word order is not kept as
 * meaning: comparison is on the set of tokens.
 */

const SPECIAL_LETTERS: Record<string, string> = {
  ß: "ss",
  ẞ: "ss",
  æ: "ae",
  Æ: "ae",
  œ: "oe",
  Œ: "oe",
  ø: "o",
  Ø: "o",
  đ: "d",
  Đ: "d",
  ð: "d",
  Ð: "d",
  ł: "l",
  Ł: "l",
  þ: "th",
  Þ: "th",
  ı: "i",
  ħ: "h",
  Ħ: "h",
};
const SPECIAL_PATTERN = new RegExp(`[${Object.keys(SPECIAL_LETTERS).join("")}]`, "g");

const NOISE_WORDS = new Set([
  // titles and honorifics
  "mr",
  "mrs",
  "ms",
  "miss",
  "mx",
  "dr",
  "prof",
  "sir",
  "sheikh",
  "sheik",
  "shaykh",
  // legal forms
  "ltd",
  "llc",
  "inc",
  "co",
  "corp",
  "sa",
  "ag",
  "gmbh",
  "plc",
  "llp",
  "lp",
  "bv",
  "nv",
  "srl",
  "sarl",
  "spa",
  "jsc",
  "ojsc",
  "pjsc",
  "cjsc",
  "ooo",
  "zao",
  "oao",
  "pte",
  "pty",
  "limited",
  // connectives
  "the",
  "of",
  "and",
]);

const MARKS = /\p{M}+/gu;
const APOSTROPHES = /['’‘`´ʼʻ]/g;
const DOTTED_ABBREVIATION = /(?<![\p{L}\p{N}])(?:[\p{L}]\.){2,}/gu;
const NON_WORD = /[^\p{L}\p{N}]+/gu;

/** Case, accents and punctuation folded; returns the words in their written order, noise words dropped. */
export function nameTokens(raw: string): string[] {
  // Compatibility forms decompose to capitals (ℌ → H) and to the special letters (ℏ → ħ), and capitals lower to
  // composed letters (À → à): decompose, lower, decompose again, and only then drop marks and fold the rest.
  const folded = raw
    .normalize("NFKD")
    .toLowerCase()
    .normalize("NFKD")
    .replace(MARKS, "")
    .replace(SPECIAL_PATTERN, (letter) => SPECIAL_LETTERS[letter] ?? letter)
    .replace(APOSTROPHES, "")
    .replace(DOTTED_ABBREVIATION, (abbreviation) => abbreviation.replaceAll(".", ""));
  const tokens = folded.split(NON_WORD).filter(Boolean);
  const meaningful = tokens.filter((token) => !NOISE_WORDS.has(token));
  // A name made only of noise words ("THE COMPANY LTD") keeps them rather than vanishing.
  return meaningful.length > 0 ? meaningful : tokens;
}

/**
 * OFAC lists individuals as `LAST, First Middle`; this gives `First Middle LAST`. Only for individuals:
 * an entity's comma (`ANGLO-CARIBBEAN CO., LTD.`) is not a name inversion.
 */
export function naturalOrder(listedName: string): string {
  const comma = listedName.indexOf(",");
  if (comma < 0) return listedName;
  const last = listedName.slice(0, comma).trim();
  const first = listedName.slice(comma + 1).trim();
  return first ? `${first} ${last}` : last;
}

/** The order-insensitive form: two names with the same key are the same name as far as screening goes. */
export function nameKey(tokens: readonly string[]): string {
  return [...tokens].sort().join(" ");
}
