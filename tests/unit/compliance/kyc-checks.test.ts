import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import {
  checkAge,
  checkCountry,
  checkDocumentNumber,
  checkSanctions,
  decideKycStatus,
  type KycCheck,
  runKycChecks,
} from "../../../server/compliance/kyc-checks";
import { loadSanctionsList, parseSanctionsList } from "../../../server/compliance/sanctions/ofac-csv";
import { buildScreeningIndex, type ScreeningIndex } from "../../../server/compliance/sanctions/screen";
import { FATF_CALL_FOR_ACTION } from "../../../server/countries";

const now = new Date("2025-06-15T12:00:00Z");

describe("checkAge", () => {
  test("passes from the 18th birthday on and fails the day before", () => {
    expect(checkAge("2007-06-15", now).result).toBe("pass");
    expect(checkAge("2007-06-16", now)).toEqual({
      name: "age",
      result: "fail",
      detail: "Applicant must be at least 18 years old",
    });
    expect(checkAge("1980-01-01", now).result).toBe("pass");
  });

  test("a 29 February birthday comes of age on 1 March in common years", () => {
    expect(checkAge("2007-02-29", now).result).toBe("fail"); // not a date
    expect(checkAge("2004-02-29", new Date("2022-02-28T12:00:00Z")).result).toBe("fail");
    expect(checkAge("2004-02-29", new Date("2022-03-01T00:00:00Z")).result).toBe("pass");
  });

  test("fails an invalid, future or implausibly old date", () => {
    expect(checkAge("15/06/1990", now).detail).toContain("yyyy-mm-dd");
    expect(checkAge("1990-13-01", now).result).toBe("fail");
    expect(checkAge("2030-01-01", now).detail).toBe("Date of birth is in the future");
    expect(checkAge("1890-01-01", now).detail).toContain("implausible");
  });
});

describe("checkDocumentNumber", () => {
  test("a passport number is 6 to 9 letters or digits, spaces and hyphens ignored", () => {
    expect(checkDocumentNumber("passport", "c01x00t47", "DE").result).toBe("pass");
    expect(checkDocumentNumber("passport", "AB 12-34", "FR").result).toBe("pass");
    expect(checkDocumentNumber("passport", "12345", "FR")).toEqual({
      name: "document_number",
      result: "fail",
      detail: "Passport number must be 6 to 9 letters or digits",
    });
    expect(checkDocumentNumber("passport", "1234567890", "FR").result).toBe("fail");
    expect(checkDocumentNumber("passport", "AB/1234", "FR").result).toBe("fail");
  });

  test("a number with no digit or made of one repeated character fails", () => {
    expect(checkDocumentNumber("passport", "ABCDEFG", "FR").detail).toBe(
      "Passport number must contain a digit",
    );
    expect(checkDocumentNumber("national_id", "000000000", "FR").detail).toContain("repeated");
  });

  test("national formats are checked where known: US and GB passports", () => {
    expect(checkDocumentNumber("passport", "A12345678", "US").result).toBe("pass");
    expect(checkDocumentNumber("passport", "123456789", "us").result).toBe("pass");
    expect(checkDocumentNumber("passport", "AB1234567", "US").detail).toBe(
      "Passport number must be 9 digits, or a letter and 8 digits for US",
    );
    expect(checkDocumentNumber("passport", "12345678A", "GB").result).toBe("fail");
  });

  test("a Spanish DNI or NIE must carry the right check letter", () => {
    expect(checkDocumentNumber("national_id", "12345678Z", "ES").result).toBe("pass");
    expect(checkDocumentNumber("national_id", "X1234567L", "ES").result).toBe("pass");
    expect(checkDocumentNumber("national_id", "12345678A", "ES").detail).toBe(
      "National ID number's check character is wrong",
    );
    expect(checkDocumentNumber("national_id", "1234567", "ES").result).toBe("fail");
  });

  test("a driving licence is 5 to 20 letters or digits, or the DVLA format in GB", () => {
    expect(checkDocumentNumber("driving_licence", "D1234-5678", "FR").result).toBe("pass");
    expect(checkDocumentNumber("driving_licence", "MORGA753116SM9IJ", "GB").result).toBe("pass");
    expect(checkDocumentNumber("driving_licence", "D12345678", "GB").result).toBe("fail");
  });
});

describe("checkCountry", () => {
  test("passes an assigned ISO 3166-1 alpha-2 code that is not high-risk, in any case", () => {
    expect(checkCountry("fr", FATF_CALL_FOR_ACTION).result).toBe("pass");
  });

  test("fails codes that are not assigned alpha-2 codes", () => {
    for (const code of ["UK", "FRA", "XX", "", "EU"]) expect(checkCountry(code, []).result).toBe("fail");
  });

  test("a high-risk country fails by default, or goes to review when configured", () => {
    expect(checkCountry("IR", FATF_CALL_FOR_ACTION)).toEqual({
      name: "country",
      result: "fail",
      detail: "Country IR is on the high-risk jurisdictions list",
    });
    expect(checkCountry("kp", ["KP"], { onHighRisk: "review" }).result).toBe("review");
  });
});

describe("checkSanctions", () => {
  let index: ScreeningIndex;
  beforeAll(async () => {
    index = buildScreeningIndex(
      await loadSanctionsList(join(import.meta.dir, "../../../fixtures/sanctions")),
    );
  });
  const one = (legalName: string, dateOfBirth: string | null) => [{ legalName, dateOfBirth }];

  test("passes a name that matches nothing", () => {
    const check = checkSanctions(index, one("Maria Gonzalez", "1990-01-01"));
    expect(check.result).toBe("pass");
    expect(check.detail).toBe("No match at or above 0.90 among 22 sanctions list entries");
  });

  test("a possible match goes to review, naming for the reviewer the entry, its program, the score and the name", () => {
    const check = checkSanctions(index, one("Arkadi Vorontsevich", "1985-01-01"));
    expect(check.result).toBe("review");
    expect(check.detail).toMatch(
      /^Possible match with sanctions list entry 90001 "VORONTSEVICH, Arkady Semyonovich" \(alias "VORONTSEVICH, Arkadiy"\), program RUSSIA-EO14024, score 0\.9\d\d, for "Arkadi Vorontsevich"$/,
    );
    expect(check.matches[0]).toMatchObject({ entryId: 90001, screenedName: "Arkadi Vorontsevich" });
  });

  test("the exact name with a different date of birth is a review, not a rejection", () => {
    const check = checkSanctions(index, one("Arkady Semyonovich Vorontsevich", "1985-01-01"));
    expect(check.result).toBe("review");
  });

  test("a fuzzy name with the same date of birth is a review that says the date matches", () => {
    const check = checkSanctions(index, one("Arkady Semyonovich Vorontsevuch", "1971-03-14"));
    expect(check.result).toBe("review");
    expect(check.detail).toContain("date of birth matches");
  });

  test("the exact name with the same date of birth is a review too, flagged as a full match", () => {
    const check = checkSanctions(index, one("Arkady Semyonovich VORONTSEVICH", "1971-03-14"));
    expect(check.result).toBe("review");
    expect(check.detail).toBe(
      'Name and date of birth match sanctions list entry 90001 "VORONTSEVICH, Arkady Semyonovich", program RUSSIA-EO14024, score 1.000, for "Arkady Semyonovich VORONTSEVICH"',
    );
  });

  test("every name given is screened: a shortened name is caught by the full one given before", () => {
    expect(checkSanctions(index, one("Arkady Voron", "1971-03-14")).result).toBe("pass");
    const check = checkSanctions(index, [
      { legalName: "Arkady Voron", dateOfBirth: "1971-03-14" },
      { legalName: "Arkady Semyonovich Vorontsevich", dateOfBirth: "1971-03-14" },
    ]);
    expect(check.result).toBe("review");
    expect(check.matches[0]).toMatchObject({
      entryId: 90001,
      screenedName: "Arkady Semyonovich Vorontsevich",
      exact: true,
      dobMatch: true,
    });
  });

  test("without a loaded list the check cannot pass", () => {
    expect(checkSanctions(null, one("Maria Gonzalez", null)).result).toBe("review");
    const empty = buildScreeningIndex(parseSanctionsList("", null));
    expect(checkSanctions(empty, one("Maria Gonzalez", null)).result).toBe("review");
  });
});

describe("decideKycStatus", () => {
  const check = (result: KycCheck["result"]): KycCheck => ({ name: "age", result, detail: "" });

  test("all checks passing verify", () => {
    expect(decideKycStatus([check("pass"), check("pass")])).toBe("verified");
  });

  test("any failed check rejects, even with others in review", () => {
    expect(decideKycStatus([check("pass"), check("review"), check("fail")])).toBe("rejected");
  });

  test("otherwise any check in review puts the case in review", () => {
    expect(decideKycStatus([check("pass"), check("review")])).toBe("review");
  });

  test("no checks at all never verify", () => {
    expect(decideKycStatus([])).toBe("review");
  });
});

describe("runKycChecks", () => {
  test("runs the four checks in order and decides the status", async () => {
    const index = buildScreeningIndex(
      await loadSanctionsList(join(import.meta.dir, "../../../fixtures/sanctions")),
    );
    const application = {
      legalName: "Maria Gonzalez",
      dateOfBirth: "1990-04-01",
      country: "ES",
      documentType: "national_id" as const,
      documentNumber: "12345678Z",
    };
    const settings = { sanctionsIndex: index, highRiskCountries: FATF_CALL_FOR_ACTION, now };
    const verified = runKycChecks(application, settings);
    expect(verified.status).toBe("verified");
    expect(verified.checks.map((c) => [c.name, c.result])).toEqual([
      ["age", "pass"],
      ["document_number", "pass"],
      ["country", "pass"],
      ["sanctions", "pass"],
    ]);
    expect(runKycChecks({ ...application, dateOfBirth: "2010-01-01" }, settings).status).toBe("rejected");
    expect(runKycChecks({ ...application, legalName: "Gregori Petrovanov" }, settings).status).toBe("review");
  });

  test("a sanctions match is a review even when another check fails, and earlier names are screened", async () => {
    const index = buildScreeningIndex(
      await loadSanctionsList(join(import.meta.dir, "../../../fixtures/sanctions")),
    );
    const settings = { sanctionsIndex: index, highRiskCountries: FATF_CALL_FOR_ACTION, now };
    const listed = {
      legalName: "Arkady Semyonovich Vorontsevich",
      dateOfBirth: "1971-03-14",
      country: "ES",
      documentType: "national_id" as const,
      documentNumber: "not-a-dni",
    };
    const result = runKycChecks(listed, settings);
    expect(result.checks[1].result).toBe("fail");
    expect(result.status).toBe("review");

    const shorter = { ...listed, legalName: "Arkady Voron", documentNumber: "12345678Z" };
    expect(runKycChecks(shorter, settings).status).toBe("verified");
    const earlierIdentities = [{ legalName: listed.legalName, dateOfBirth: listed.dateOfBirth }];
    expect(runKycChecks(shorter, { ...settings, earlierIdentities }).status).toBe("review");
  });
});
