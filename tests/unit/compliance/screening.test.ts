import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadSanctionsList } from "../../../server/compliance/sanctions/ofac-csv";
import {
  buildScreeningIndex,
  type ScreeningIndex,
  screenName,
} from "../../../server/compliance/sanctions/screen";
import { DEFAULT_SCREENING_THRESHOLD } from "../../../server/config";

let index: ScreeningIndex;

beforeAll(async () => {
  index = buildScreeningIndex(await loadSanctionsList(join(import.meta.dir, "../../../fixtures/sanctions")));
});

const best = (name: string, dateOfBirth?: string) => screenName(index, { name, dateOfBirth }).matches[0];

describe("screening against the list", () => {
  test("the default threshold is 0.90", () => {
    expect(DEFAULT_SCREENING_THRESHOLD).toBe(0.9);
  });

  test("finds a listed name written with its accents dropped", () => {
    expect(best("Ramon Esteban Alvarez Quintanilla")).toMatchObject({
      entryId: 90002,
      score: 1,
      exact: true,
      programs: ["ILLICIT-DRUGS-EO14059"],
    });
  });

  test("finds a listed name written with accents it does not have", () => {
    expect(best("João Baptista Santos Évora")).toMatchObject({ entryId: 90013, exact: true });
  });

  test("finds a listed name with its words swapped", () => {
    expect(best("Semyonovich Arkady Vorontsevich")).toMatchObject({ entryId: 90001, score: 1 });
    expect(best("Arkady Semyonovich Vorontsevich")).toMatchObject({ entryId: 90001, score: 1 });
  });

  test("finds a listed name with one letter wrong", () => {
    const match = best("Arkady Semyonovich Vorontsevuch");
    expect(match).toMatchObject({ entryId: 90001, exact: false });
    expect(match?.score).toBeGreaterThanOrEqual(0.95);
    expect(best("Grigori Ilyich Petrovanov")).toMatchObject({ entryId: 90006, exact: false });
  });

  test("finds a listed name with an accent dropped, its words swapped and one letter wrong at once", () => {
    expect(best("Quintanila Alvarez Ramon Esteban")).toMatchObject({ entryId: 90002, exact: false });
  });

  test("finds an entry through an alias, and says which name matched", () => {
    expect(best("Gregory Petrovanoff")).toMatchObject({
      entryId: 90006,
      entryName: "PETROVANOV, Grigory Ilyich",
      matchedName: "PETROVANOFF, Gregory",
      matchedAlias: true,
      exact: true,
    });
    expect(best("Juergen Mueller-Zweigstein")).toMatchObject({ entryId: 90010, matchedAlias: true });
  });

  test("finds entities and vessels by name or alias, legal forms aside", () => {
    expect(best("Northwind Bluewater Trading LLC")).toMatchObject({ entryId: 90101, exact: true });
    expect(best("Crimson Lattice")).toMatchObject({ entryId: 90103, matchedAlias: true });
    expect(best("Meridian Starling")).toMatchObject({ entryId: 90201, type: "vessel" });
  });

  test("does not flag clearly different names", () => {
    for (const name of ["Maria Gonzalez", "John Smith", "Arkady Petrov", "Lucia Rossi", "Ivan Vorontsov"]) {
      expect(screenName(index, { name }).matches).toEqual([]);
    }
  });

  test("reports whether the date of birth agrees, at the precision the list gives", () => {
    expect(best("Arkady Semyonovich Vorontsevich", "1971-03-14")?.dobMatch).toBe(true);
    expect(best("Arkady Semyonovich Vorontsevich", "1971-03-15")?.dobMatch).toBe(false);
    // RASHEDI is listed with "DOB 14 Mar 1971 to 15 Mar 1972": years only.
    expect(best("Hamid Tavakkol Rashedi", "1972-08-01")?.dobMatch).toBe(true);
    expect(best("Hamid Tavakkol Rashedi", "1975-08-01")?.dobMatch).toBe(false);
    expect(best("Hamid Tavakkol Rashedi")?.dobMatch).toBe(false);
  });

  test("matches are sorted best first, capped by the limit, and honour the threshold and type filter", () => {
    const loose = screenName(index, { name: "Kestrel" }, { threshold: 0.75 }).matches;
    expect(loose.map((match) => match.entryId)).toEqual([90106, 90009]);
    expect(loose[0]?.score).toBeGreaterThan(loose[1]?.score ?? 1);
    expect(screenName(index, { name: "Kestrel" }, { threshold: 0.75, limit: 1 }).matches).toHaveLength(1);
    expect(screenName(index, { name: "Kestrel" }).matches).toEqual([]);
    expect(screenName(index, { name: "Meridian Starling" }, { types: ["individual"] }).matches).toEqual([]);
  });

  test("an empty or punctuation-only name matches nothing", () => {
    expect(screenName(index, { name: "" }).matches).toEqual([]);
    expect(screenName(index, { name: " .,- " }).matches).toEqual([]);
  });

  test("blocking loses no match at 0.80 or more that scoring every listed name would find", () => {
    const names = [
      "Ramon Esteban Alvarez Quintanilla",
      "Arkady Semyonovich Vorontsevuch",
      "Gregory Petrovanoff",
      "Sami Farroukh",
      "Samir Haddad",
      "Tobias Blythe",
      "Milo Kestrel",
      "Declan O'Farrell",
      "Fenglan Qiao",
      "Adaeze Lindqvist Okonkwo",
      "Maria Gonzalez",
    ];
    for (const name of names) {
      const fast = screenName(index, { name }, { threshold: 0.8 }).matches;
      const full = screenName(index, { name }, { threshold: 0.8, exhaustive: true }).matches;
      expect({ name, matches: fast }).toEqual({ name, matches: full });
    }
  });
});
