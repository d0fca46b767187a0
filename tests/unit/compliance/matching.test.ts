import { describe, expect, test } from "bun:test";
import { jaro, jaroWinkler } from "../../../server/compliance/sanctions/jaro-winkler";
import { nameKey, nameTokens, naturalOrder } from "../../../server/compliance/sanctions/normalize";
import { scoreNames, wordSimilarity } from "../../../server/compliance/sanctions/screen";

describe("Jaro-Winkler", () => {
  test("gives the published values for the textbook pairs", () => {
    expect(jaro("martha", "marhta")).toBeCloseTo(0.944, 3);
    expect(jaroWinkler("martha", "marhta")).toBeCloseTo(0.961, 3);
    expect(jaroWinkler("dwayne", "duane")).toBeCloseTo(0.84, 3);
    expect(jaroWinkler("dixon", "dicksonx")).toBeCloseTo(0.813, 3);
  });

  test("is 1 for equal strings, 0 with nothing in common or an empty side, and symmetric", () => {
    expect(jaroWinkler("same", "same")).toBe(1);
    expect(jaroWinkler("abc", "xyz")).toBe(0);
    expect(jaroWinkler("", "abc")).toBe(0);
    expect(jaroWinkler("crate", "trace")).toBeCloseTo(jaroWinkler("trace", "crate"), 10);
  });

  test("gives no prefix bonus to words that are not already similar", () => {
    expect(jaro("abcdwxyz", "abcdqrst")).toBeLessThan(0.7);
    expect(jaroWinkler("abcdwxyz", "abcdqrst")).toBe(jaro("abcdwxyz", "abcdqrst"));
  });
});

describe("name normalisation", () => {
  test("folds case, accents and letters NFKD keeps whole", () => {
    expect(nameTokens("ÁLVAREZ QUINTANILLA, Ramón")).toEqual(["alvarez", "quintanilla", "ramon"]);
    expect(nameTokens("Strauß Øresund Łukasz")).toEqual(["strauss", "oresund", "lukasz"]);
  });

  test("drops apostrophes inside words, splits on other punctuation and joins dotted abbreviations", () => {
    expect(nameTokens("O'FARRELLY, Declan")).toEqual(["ofarrelly", "declan"]);
    expect(nameTokens("MÜLLER-ZWEIGSTEIN")).toEqual(["muller", "zweigstein"]);
    expect(nameTokens("U.M.V. Holdings")).toEqual(["umv", "holdings"]);
  });

  test("drops titles, legal forms and connectives, unless nothing else is left", () => {
    expect(nameTokens("RASHEDI, Dr. Hamid")).toEqual(["rashedi", "hamid"]);
    expect(nameTokens("BANCO FICTICIO DEL SUR, S.A.")).toEqual(["banco", "ficticio", "del", "sur"]);
    expect(nameTokens("NORTHWIND TRADING CO., LTD.")).toEqual(["northwind", "trading"]);
    expect(nameTokens("The Company Ltd")).toEqual(["company"]);
    expect(nameTokens("The Ltd")).toEqual(["the", "ltd"]);
  });

  test("turns 'LAST, First Middle' into 'First Middle LAST' and compares word sets", () => {
    expect(naturalOrder("VORONTSEVICH, Arkady Semyonovich")).toBe("Arkady Semyonovich VORONTSEVICH");
    expect(naturalOrder("GREY HERON")).toBe("GREY HERON");
    expect(nameKey(nameTokens("VORONTSEVICH, Arkady"))).toBe(nameKey(nameTokens("arkady vorontsevich")));
  });
});

describe("name similarity", () => {
  test("the same name written differently scores 0.95 or more", () => {
    expect(scoreNames("Ramon Alvarez", "ÁLVAREZ, Ramón")).toBe(1);
    expect(scoreNames("Arkadi Semyonovich Vorontsevich", "VORONTSEVICH, Arkady Semyonovich")).toBeGreaterThan(
      0.95,
    );
    expect(scoreNames("Arkady Semyonovich Voronstevich", "VORONTSEVICH, Arkady Semyonovich")).toBeGreaterThan(
      0.95,
    );
    expect(scoreNames("Maria Garcia", "Mario Garcia")).toBeGreaterThan(0.95);
  });

  test("one wrong letter in a word with repeated letters still scores high", () => {
    // Jaro counts "nmskiqui" / "niskiqui" as three transpositions; the edit distance says one letter.
    expect(jaroWinkler("nmskiqui", "niskiqui")).toBeLessThan(0.85);
    expect(wordSimilarity("nmskiqui", "niskiqui")).toBe(0.875);
    expect(scoreNames("Nmskiqui Droich", "DROICH, Niskiqui")).toBeGreaterThan(0.9);
  });

  test("an initial agrees with the name it begins and with no other", () => {
    expect(scoreNames("Juan M Cruz", "CRUZ, Juan Miguel")).toBeGreaterThan(0.95);
    expect(scoreNames("Juan X Cruz", "CRUZ, Juan Miguel")).toBeLessThan(0.9);
  });

  test("a word that merely begins a longer one is not taken for it", () => {
    expect(scoreNames("Erdroan Steinko", "STEINBEKDRO, Erdroan")).toBeLessThan(0.9);
  });

  test("a glued or split word is still the same name", () => {
    expect(scoreNames("Ayman Alzawahiri", "AL-ZAWAHIRI, Ayman")).toBeGreaterThan(0.95);
  });

  test("a missing middle name or patronymic keeps the score above 0.90, either way round", () => {
    expect(scoreNames("John Smith", "SMITH, John Michael")).toBeGreaterThan(0.9);
    expect(scoreNames("John Michael Smith", "SMITH, John")).toBeGreaterThan(0.9);
  });

  test("sharing one name with a different other name stays below 0.90", () => {
    expect(scoreNames("Ivan Smith", "PETROV, Ivan")).toBeLessThan(0.75);
    expect(scoreNames("Hermann Schmidt", "HERMANN")).toBeLessThan(0.9);
    expect(scoreNames("Mohammed Al Rashid", "Mohammed Al Hassan")).toBeLessThan(0.9);
    expect(scoreNames("Grigory Smirnov", "PETROVANOV, Grigory Ilyich")).toBeLessThan(0.9);
  });

  test("unrelated names score low", () => {
    expect(scoreNames("Maria Gonzalez", "VORONTSEVICH, Arkady Semyonovich")).toBeLessThan(0.6);
  });
});
