import { DEFAULT_SCREENING_THRESHOLD } from "../../config";
import { jaroWinkler } from "./jaro-winkler";
import { levenshteinSimilarity } from "./levenshtein";
import { nameKey, nameTokens, naturalOrder } from "./normalize";
import type { SanctionsEntry, SanctionsEntryType, SanctionsList } from "./types";

/**
 * Fuzzy screening of a name against a sanctions list, in two stages.
 *
 * 1. Blocking. Every distinct word of the list is indexed by its character bigrams (`^i iv va an n$` for
 *    "ivan"). A query word selects the listed words that share half their bigrams (Dice ≥ 0.5) or all but
 *    three (what one wrong, missing or swapped letter costs); a listed name is a candidate when the
 *    selected words cover two of the query's words or 60 % of its letters. Words of one or two letters
 *    (initials, `al`, `de`) do not select on their own. This leaves tens to a few hundred names to score.
 * 2. Scoring, on the candidates only. Each query word is paired with its most similar listed word
 *    ({@link wordSimilarity}: Jaro-Winkler, or edit distance where that is kinder), greedily, best pairs
 *    first, so word order does not matter. The score is the pairs' similarity weighted by their length,
 *    minus 0.5 × how far the weakest pair of real words falls below 0.9 (a shared long first name must not
 *    carry a different surname), times 1 − 0.4 × the share of words left without a partner on either side
 *    (a word of one or two letters counts half). When the two names have a different number of words and
 *    the same letters give or take two, the glued forms are compared by edit distance too ("alzawahiri"
 *    against "al zawahiri"), and the better score wins.
 *
 * The default threshold (DEFAULT_SCREENING_THRESHOLD in server/config.ts), 0.90, sits between what the tests show to be the same name written differently
 * (an accent dropped, words swapped, one letter wrong: ≥ 0.95; a middle name or patronymic missing: ≈ 0.92)
 * and different people who share a first name or a surname (≤ 0.87). Names with two differences (a middle
 * name missing and a letter wrong; `Lucia Marchetti` for `MARCHETTI-VOSS, Lucia Beatrice`) score 0.86–0.89:
 * lower the threshold to 0.85 to catch those at the cost of more reviews. On the bench's synthetic list
 * (bench/sanctions-screening.ts), 0.90 finds every variant of a listed name and flags about 3 % of new names.
 */

const UNMATCHED_PENALTY = 0.4;
const WEAKEST_PAIR_FLOOR = 0.9;
const WEAKEST_PAIR_PENALTY = 0.5;
const LENGTH_PENALTY = 0.3;
const MAX_QUERY_TOKENS = 16;
const MAX_NAME_TOKENS = 64;

export type ScreeningQuery = {
  name: string;
  /** ISO `yyyy-mm-dd`; compared with the listed dates at the precision the list gives (day or year). */
  dateOfBirth?: string | null;
};

export type ScreeningOptions = {
  /** Lowest score reported, 0–1. Default {@link DEFAULT_SCREENING_THRESHOLD}. */
  threshold?: number;
  /** Most matches returned, best first. Default 10. */
  limit?: number;
  /** Only entries of these types (e.g. `["individual"]`); all by default. */
  types?: readonly SanctionsEntryType[];
  /** Score every listed name instead of the blocked candidates (for tests and the bench's recall check). */
  exhaustive?: boolean;
};

export type ScreeningMatch = {
  entryId: number;
  /** The entry's primary name as listed. */
  entryName: string;
  /** The listed name or alias that scored best. */
  matchedName: string;
  matchedAlias: boolean;
  type: SanctionsEntryType;
  programs: string[];
  /** 0–1, rounded to three places. */
  score: number;
  /** Same words as the listed name or alias once normalised, in any order. */
  exact: boolean;
  /** The query's date of birth agrees with one of the entry's (by day, or by year where only the year is listed). */
  dobMatch: boolean;
  datesOfBirth: string[];
};

export type ScreeningResult = {
  matches: ScreeningMatch[];
  /** How many listed names were scored after blocking (observability). */
  candidates: number;
};

type IndexedName = {
  entry: number;
  display: string;
  alias: boolean;
  tokens: string[];
  tokenIds: Int32Array;
  key: string;
  /** Glued forms in the written and (for individuals) natural order, for glued/split words. */
  glued: string[];
  /** How many of its words are long enough to select (≥ 3 letters). */
  blockingWords: number;
};

type Scratch = {
  tokenHits: Uint16Array;
  touchedTokens: Int32Array;
  nameMasks: Uint32Array;
  /** Query word × list word similarities, valid where the stamp equals the current generation. */
  memo: Float64Array;
  memoStamp: Uint32Array;
  generation: number;
};

export type ScreeningIndex = {
  readonly count: number;
  readonly nameCount: number;
  readonly loadedAt: Date;
  /** The stored list version screened against; null for a list that was never stored (tests, the bench). */
  readonly version: number | null;
  readonly entries: readonly SanctionsEntry[];
  /** Internals below: built once, read by {@link screenName}. */
  readonly names: readonly IndexedName[];
  readonly vocabulary: readonly string[];
  readonly vocabularyBigrams: Uint16Array;
  readonly bigramTokens: ReadonlyMap<string, Int32Array>;
  readonly tokenNames: readonly Int32Array[];
  readonly scratch: Scratch;
};

function bigrams(token: string): string[] {
  const padded = `^${token}$`;
  const found = new Set<string>();
  for (let i = 0; i < padded.length - 1; i++) found.add(padded.slice(i, i + 2));
  return [...found];
}

const tokenWeight = (token: string) => (token.length >= 3 ? 1 : 0.5);

export function buildScreeningIndex(list: SanctionsList): ScreeningIndex {
  const names: IndexedName[] = [];
  const vocabularyIds = new Map<string, number>();
  const vocabulary: string[] = [];
  const tokenNameLists: number[][] = [];

  const addName = (
    entryIndex: number,
    entry: SanctionsEntry,
    display: string,
    alias: boolean,
    seen: Set<string>,
  ) => {
    const tokens = nameTokens(display).slice(0, MAX_NAME_TOKENS);
    if (tokens.length === 0) return;
    const key = nameKey(tokens);
    if (seen.has(key)) return;
    seen.add(key);
    const nameId = names.length;
    const glued = [tokens.join("")];
    if (entry.type === "individual") {
      const natural = nameTokens(naturalOrder(display)).join("");
      if (natural !== glued[0]) glued.push(natural);
    }
    const tokenIds = new Int32Array(tokens.length);
    tokens.forEach((token, position) => {
      let id = vocabularyIds.get(token);
      if (id === undefined) {
        id = vocabulary.length;
        vocabularyIds.set(token, id);
        vocabulary.push(token);
        tokenNameLists.push([]);
      }
      tokenIds[position] = id;
      const owners = tokenNameLists[id] as number[];
      if (owners.at(-1) !== nameId) owners.push(nameId);
    });
    names.push({
      entry: entryIndex,
      display,
      alias,
      tokens,
      tokenIds,
      key,
      glued,
      blockingWords: tokens.filter((token) => token.length >= 3).length,
    });
  };

  list.entries.forEach((entry, index) => {
    const seen = new Set<string>();
    addName(index, entry, entry.name, false, seen);
    for (const alias of entry.aliases) addName(index, entry, alias, true, seen);
  });

  const vocabularyBigrams = new Uint16Array(vocabulary.length);
  const bigramLists = new Map<string, number[]>();
  vocabulary.forEach((token, id) => {
    const grams = bigrams(token);
    vocabularyBigrams[id] = Math.min(grams.length, 0xffff);
    for (const gram of grams) {
      let ids = bigramLists.get(gram);
      if (!ids) {
        ids = [];
        bigramLists.set(gram, ids);
      }
      ids.push(id);
    }
  });
  const bigramTokens = new Map<string, Int32Array>();
  for (const [gram, ids] of bigramLists) bigramTokens.set(gram, Int32Array.from(ids));

  return {
    count: list.count,
    nameCount: names.length,
    loadedAt: list.loadedAt,
    version: list.version ?? null,
    entries: list.entries,
    names,
    vocabulary,
    vocabularyBigrams,
    bigramTokens,
    tokenNames: tokenNameLists.map((ids) => Int32Array.from(ids)),
    scratch: {
      tokenHits: new Uint16Array(vocabulary.length),
      touchedTokens: new Int32Array(vocabulary.length),
      nameMasks: new Uint32Array(names.length),
      memo: new Float64Array(vocabulary.length * MAX_QUERY_TOKENS),
      memoStamp: new Uint32Array(vocabulary.length * MAX_QUERY_TOKENS),
      generation: 0,
    },
  };
}

const pairSimilarities = new Float64Array(MAX_QUERY_TOKENS * MAX_NAME_TOKENS * 4);
const usedQuery = new Uint8Array(MAX_QUERY_TOKENS * 4);
const usedListed = new Uint8Array(MAX_NAME_TOKENS * 4);

/**
 * Similarity of two words: Jaro-Winkler, or the edit-distance similarity when that is higher. Jaro pairs
 * each letter with the first free equal letter nearby, so one wrong letter in a word with repeated letters
 * can count as several transpositions ("nmskiqui" / "niskiqui": Jaro-Winkler 0.80, one edit in eight: 0.875).
 * Jaro-Winkler also rates a word that begins another highly ("ichser" / "ichsenro": 0.95), so it is
 * lowered by 0.3 × the difference in length ratio. An initial agrees (0.9) with a word it begins, and with
 * nothing else.
 */
export function wordSimilarity(a: string, b: string): number {
  if (a.length === 1 || b.length === 1) return a.charCodeAt(0) === b.charCodeAt(0) ? 0.9 : 0;
  if (a === b) return 1;
  const lengthRatio = Math.min(a.length, b.length) / Math.max(a.length, b.length);
  const jw = jaroWinkler(a, b) * (1 - LENGTH_PENALTY * (1 - lengthRatio));
  return jw >= 0.95 ? jw : Math.max(jw, levenshteinSimilarity(a, b));
}

/**
 * The word-set score (see the module comment) given the pairwise similarities `similarity(q, l)` of the
 * query's words and the listed name's words.
 */
function alignedScore(
  query: readonly string[],
  listed: readonly string[],
  similarity: (q: number, l: number) => number,
): number {
  const n = Math.min(query.length, usedQuery.length);
  const m = Math.min(listed.length, usedListed.length);
  if (n === 0 || m === 0) return 0;
  const sims = n * m <= pairSimilarities.length ? pairSimilarities : new Float64Array(n * m);
  for (let q = 0; q < n; q++) for (let l = 0; l < m; l++) sims[q * m + l] = similarity(q, l);
  usedQuery.fill(0, 0, n);
  usedListed.fill(0, 0, m);

  let weightedSimilarity = 0;
  let pairedLetters = 0;
  let pairedWords = 0;
  let weakest = 1;
  for (let k = Math.min(n, m); k > 0; k--) {
    let best = -1;
    let bestQ = 0;
    let bestL = 0;
    for (let q = 0; q < n; q++) {
      if (usedQuery[q]) continue;
      for (let l = 0; l < m; l++) {
        if (usedListed[l]) continue;
        const s = sims[q * m + l] as number;
        if (s > best) {
          best = s;
          bestQ = q;
          bestL = l;
        }
      }
    }
    usedQuery[bestQ] = 1;
    usedListed[bestL] = 1;
    const qWord = query[bestQ] as string;
    const lWord = listed[bestL] as string;
    weightedSimilarity += best * (qWord.length + lWord.length);
    pairedLetters += qWord.length + lWord.length;
    pairedWords += tokenWeight(qWord) + tokenWeight(lWord);
    if (qWord.length >= 3 && lWord.length >= 3 && best < weakest) weakest = best;
  }
  let allWords = 0;
  for (let q = 0; q < n; q++) allWords += tokenWeight(query[q] as string);
  for (let l = 0; l < m; l++) allWords += tokenWeight(listed[l] as string);
  const average = weightedSimilarity / pairedLetters;
  const coverage = pairedWords / allWords;
  return (
    (average - WEAKEST_PAIR_PENALTY * Math.max(0, WEAKEST_PAIR_FLOOR - weakest)) *
    (1 - UNMATCHED_PENALTY * (1 - coverage))
  );
}

/** Glued forms compared by edit distance: a word glued or split, give or take two typos. */
function gluedScore(queryGlued: string, listedGlued: readonly string[]): number {
  let score = 0;
  for (const glued of listedGlued) {
    if (Math.abs(glued.length - queryGlued.length) <= 2) {
      score = Math.max(score, levenshteinSimilarity(queryGlued, glued));
    }
  }
  return score;
}

/** Word-set similarity of two token lists (see the module comment), 0–1. */
export function compareTokens(
  query: readonly string[],
  listed: readonly string[],
  queryGlued?: string,
  listedGlued?: readonly string[],
): number {
  const score = alignedScore(query, listed, (q, l) =>
    wordSimilarity(query[q] as string, listed[l] as string),
  );
  if (query.length === listed.length || !queryGlued || !listedGlued) return score;
  return Math.max(score, gluedScore(queryGlued, listedGlued));
}

/** Similarity of two free-text names, 0–1 (normalised, order-insensitive). */
export function scoreNames(a: string, b: string): number {
  const ta = nameTokens(a);
  const tb = nameTokens(b);
  return compareTokens(ta, tb, ta.join(""), [tb.join(""), nameTokens(naturalOrder(b)).join("")]);
}

function dobMatches(dateOfBirth: string | null | undefined, listed: readonly string[]): boolean {
  if (!dateOfBirth || listed.length === 0) return false;
  const year = dateOfBirth.slice(0, 4);
  return listed.some((date) => (date.length === 4 ? date === year : date === dateOfBirth));
}

/** Listed names sharing enough similar words with the query to be worth scoring. */
function blockCandidates(index: ScreeningIndex, queryTokens: readonly string[]): number[] {
  const selecting = queryTokens.filter((token) => token.length >= 3);
  const words = selecting.length > 0 ? selecting : queryTokens;
  const letters = words.reduce((sum, word) => sum + word.length, 0);
  const { tokenHits, nameMasks, touchedTokens } = index.scratch;
  const touchedNames: number[] = [];

  words.forEach((word, position) => {
    const grams = bigrams(word);
    let touched = 0;
    for (const gram of grams) {
      const ids = index.bigramTokens.get(gram);
      if (!ids) continue;
      // Indexed loops over typed arrays: for-of is several times slower in JavaScriptCore.
      for (let k = 0; k < ids.length; k++) {
        const id = ids[k] as number;
        const hits = tokenHits[id] as number;
        if (hits === 0) touchedTokens[touched++] = id;
        tokenHits[id] = hits + 1;
      }
    }
    const bit = 1 << position;
    for (let t = 0; t < touched; t++) {
      const id = touchedTokens[t] as number;
      const shared = tokenHits[id] as number;
      tokenHits[id] = 0;
      const listedGrams = index.vocabularyBigrams[id] as number;
      if (4 * shared < grams.length + listedGrams && shared < Math.max(grams.length, listedGrams) - 3)
        continue;
      const owners = index.tokenNames[id] as Int32Array;
      for (let k = 0; k < owners.length; k++) {
        const nameId = owners[k] as number;
        const mask = nameMasks[nameId] as number;
        if (mask === 0) touchedNames.push(nameId);
        nameMasks[nameId] = mask | bit;
      }
    }
  });

  const candidates: number[] = [];
  for (const nameId of touchedNames) {
    const mask = nameMasks[nameId] as number;
    nameMasks[nameId] = 0;
    let matchedWords = 0;
    let matchedLetters = 0;
    for (let position = 0; position < words.length; position++) {
      if (mask & (1 << position)) {
        matchedWords++;
        matchedLetters += (words[position] as string).length;
      }
    }
    const name = index.names[nameId] as IndexedName;
    const needWords = Math.min(2, words.length, Math.max(1, name.blockingWords));
    if (matchedWords >= needWords || matchedLetters >= 0.6 * letters) candidates.push(nameId);
  }
  return candidates;
}

export function screenName(
  index: ScreeningIndex,
  query: ScreeningQuery,
  options: ScreeningOptions = {},
): ScreeningResult {
  const threshold = options.threshold ?? DEFAULT_SCREENING_THRESHOLD;
  const limit = options.limit ?? 10;
  const types = options.types ? new Set(options.types) : null;
  const queryTokens = nameTokens(query.name).slice(0, MAX_QUERY_TOKENS);
  if (queryTokens.length === 0) return { matches: [], candidates: 0 };
  const queryKey = nameKey(queryTokens);
  const queryGlued = queryTokens.join("");

  const candidates = options.exhaustive
    ? index.names.map((_, nameId) => nameId)
    : blockCandidates(index, queryTokens);

  // Candidates share words (common first names), so each query word × list word similarity is computed once.
  const scratch = index.scratch;
  scratch.generation = (scratch.generation + 1) >>> 0 || 1;
  const generation = scratch.generation;
  const vocabularySize = index.vocabulary.length;
  let tokenIds: Int32Array = new Int32Array(0);
  let listedTokens: readonly string[] = [];
  const similarity = (q: number, l: number): number => {
    const slot = q * vocabularySize + (tokenIds[l] as number);
    if (scratch.memoStamp[slot] === generation) return scratch.memo[slot] as number;
    const value = wordSimilarity(queryTokens[q] as string, listedTokens[l] as string);
    scratch.memo[slot] = value;
    scratch.memoStamp[slot] = generation;
    return value;
  };

  const best = new Map<number, { name: IndexedName; score: number; exact: boolean }>();
  let scored = 0;
  for (const nameId of candidates) {
    const name = index.names[nameId] as IndexedName;
    const entry = index.entries[name.entry] as SanctionsEntry;
    if (types && !types.has(entry.type)) continue;
    scored++;
    const exact = name.key === queryKey;
    let score = 1;
    if (!exact) {
      tokenIds = name.tokenIds;
      listedTokens = name.tokens;
      score = alignedScore(queryTokens, name.tokens, similarity);
      if (queryTokens.length !== name.tokens.length) {
        score = Math.max(score, gluedScore(queryGlued, name.glued));
      }
    }
    if (score < threshold) continue;
    const previous = best.get(name.entry);
    if (
      !previous ||
      score > previous.score ||
      (score === previous.score && previous.name.alias && !name.alias)
    ) {
      best.set(name.entry, { name, score, exact: exact || (previous?.exact ?? false) });
    }
  }

  const matches: ScreeningMatch[] = [];
  for (const [entryIndex, { name, score, exact }] of best) {
    const entry = index.entries[entryIndex] as SanctionsEntry;
    matches.push({
      entryId: entry.id,
      entryName: entry.name,
      matchedName: name.display,
      matchedAlias: name.alias,
      type: entry.type,
      programs: entry.programs,
      score: Math.round(score * 1000) / 1000,
      exact,
      dobMatch: dobMatches(query.dateOfBirth, entry.datesOfBirth),
      datesOfBirth: entry.datesOfBirth,
    });
  }
  matches.sort(
    (a, b) => b.score - a.score || Number(b.dobMatch) - Number(a.dobMatch) || a.entryId - b.entryId,
  );
  return { matches: matches.slice(0, limit), candidates: scored };
}
