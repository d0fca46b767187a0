import { ageOn, MINIMUM_AGE } from "../age";
import { DEFAULT_SCREENING_THRESHOLD } from "../config";
import { isIsoCountryCode } from "../countries";
import { type ScreeningIndex, type ScreeningMatch, screenName } from "./sanctions/screen";

/**
 * The KYC checks, each a pure function returning its own result, and the status they add up to.
 * A `fail` is something the applicant can see and correct or that rules them out (the submission is
 * rejected with that reason); a `review` needs a compliance officer (a possible sanctions match, or
 * screening that could not run).
 */

export type KycCheckName = "age" | "document_number" | "country" | "sanctions";
export type KycCheckResult = "pass" | "fail" | "review";
export type KycCheck = { name: KycCheckName; result: KycCheckResult; detail: string };
export type KycStatus = "verified" | "rejected" | "review";

export const DOCUMENT_TYPES = ["passport", "national_id", "driving_licence"] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

const MAXIMUM_AGE = 120;

const pass = (name: KycCheckName, detail: string): KycCheck => ({ name, result: "pass", detail });
const fail = (name: KycCheckName, detail: string): KycCheck => ({ name, result: "fail", detail });
const review = (name: KycCheckName, detail: string): KycCheck => ({ name, result: "review", detail });

/* ---------------------------------------------------------------- age */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a calendar date `yyyy-mm-dd`, rejecting impossible ones (2023-02-29). */
export function parseIsoDate(text: string): { year: number; month: number; day: number } | null {
  const match = ISO_DATE.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return null;
  return { year, month, day };
}

/** Passes from the 18th birthday on; a date in the future or more than 120 years ago fails as implausible. */
export function checkAge(dateOfBirth: string, now: Date, minimumAge = MINIMUM_AGE): KycCheck {
  const date = parseIsoDate(dateOfBirth);
  if (!date) return fail("age", "Date of birth must be a valid date written yyyy-mm-dd");
  const age = ageOn(date, now);
  if (age < 0 || Date.UTC(date.year, date.month - 1, date.day) > now.getTime()) {
    return fail("age", "Date of birth is in the future");
  }
  if (age > MAXIMUM_AGE) return fail("age", `Date of birth gives an implausible age (${age})`);
  if (age < minimumAge) return fail("age", `Applicant must be at least ${minimumAge} years old`);
  return pass("age", `Applicant is at least ${minimumAge} years old`);
}

/* ---------------------------------------------------------------- document number */

type DocumentRule = { pattern: RegExp; format: string; verify?: (normalized: string) => boolean };

const DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";

/** Spanish DNI / NIE: the last letter is a mod-23 check letter over the digits (NIE: X=0, Y=1, Z=2). */
function spanishIdCheckLetter(normalized: string): boolean {
  const digits = normalized.slice(0, -1).replace(/^[XYZ]/, (letter) => String("XYZ".indexOf(letter)));
  return DNI_LETTERS[Number(digits) % 23] === normalized.at(-1);
}

/** Generic rules per type; every number has at least one digit and is not one character repeated. */
const GENERIC_RULES: Record<DocumentType, DocumentRule> = {
  // ICAO Doc 9303: the machine-readable zone holds a document number of up to 9 characters.
  passport: { pattern: /^[A-Z0-9]{6,9}$/, format: "6 to 9 letters or digits" },
  national_id: { pattern: /^[A-Z0-9]{5,20}$/, format: "5 to 20 letters or digits" },
  driving_licence: { pattern: /^[A-Z0-9]{5,20}$/, format: "5 to 20 letters or digits" },
};

/** Known national formats, checked instead of the generic rule for that country and type. */
const COUNTRY_RULES: Partial<Record<string, Partial<Record<DocumentType, DocumentRule>>>> = {
  US: { passport: { pattern: /^(?:\d{9}|[A-Z]\d{8})$/, format: "9 digits, or a letter and 8 digits" } },
  GB: {
    passport: { pattern: /^\d{9}$/, format: "9 digits" },
    // DVLA: 5 of the surname (padded with 9), 6 encoding the birth date, 2 initials, 1 digit, 2 check letters.
    driving_licence: {
      pattern: /^[A-Z9]{5}\d{6}[A-Z9]{2}\d[A-Z]{2}$/,
      format: "the 16-character DVLA format",
    },
  },
  ES: {
    national_id: {
      pattern: /^(?:\d{8}|[XYZ]\d{7})[A-Z]$/,
      format: "a DNI (8 digits and a letter) or NIE (X, Y or Z, 7 digits and a letter)",
      verify: spanishIdCheckLetter,
    },
  },
};

const DOCUMENT_LABELS: Record<DocumentType, string> = {
  passport: "Passport",
  national_id: "National ID",
  driving_licence: "Driving licence",
};

/** Spaces and hyphens are ignored and letters compared in capitals; anything else must match the format. */
export function checkDocumentNumber(
  documentType: DocumentType,
  documentNumber: string,
  country: string,
): KycCheck {
  const label = DOCUMENT_LABELS[documentType];
  if (!label) return fail("document_number", `Unknown document type "${documentType}"`);
  const normalized = documentNumber.replace(/[\s-]/g, "").toUpperCase();
  const countryCode = country.trim().toUpperCase();
  const rule = COUNTRY_RULES[countryCode]?.[documentType] ?? GENERIC_RULES[documentType];
  const where = rule === GENERIC_RULES[documentType] ? "" : ` for ${countryCode}`;

  if (!rule.pattern.test(normalized)) {
    return fail("document_number", `${label} number must be ${rule.format}${where}`);
  }
  if (!/\d/.test(normalized)) return fail("document_number", `${label} number must contain a digit`);
  if (/^(.)\1*$/.test(normalized)) {
    return fail("document_number", `${label} number cannot be one character repeated`);
  }
  if (rule.verify && !rule.verify(normalized)) {
    return fail("document_number", `${label} number's check character is wrong`);
  }
  return pass("document_number", `${label} number has a valid format${where}`);
}

/* ---------------------------------------------------------------- country */

export type CountryCheckOptions = {
  /**
   * What a listed country gives. `fail` (default): the check is "country not on the high-risk list", and
   * the rule is that a failed check rejects; configure `review` to onboard such applicants under
   * enhanced due diligence instead.
   */
  onHighRisk?: "fail" | "review";
};

export function checkCountry(
  country: string,
  highRiskCountries: readonly string[],
  options: CountryCheckOptions = {},
): KycCheck {
  const code = country.trim().toUpperCase();
  if (!isIsoCountryCode(code)) {
    return fail("country", `"${country}" is not an ISO 3166-1 alpha-2 country code`);
  }
  if (highRiskCountries.some((listed) => listed.trim().toUpperCase() === code)) {
    const detail = `Country ${code} is on the high-risk jurisdictions list`;
    return options.onHighRisk === "review" ? review("country", detail) : fail("country", detail);
  }
  return pass("country", `Country ${code} is not on the high-risk jurisdictions list`);
}

/* ---------------------------------------------------------------- sanctions */

/** A name and date of birth the applicant gave, now or in an earlier submission. */
export type Identity = { legalName: string; dateOfBirth: string | null };

/** A listed entry one of the applicant's names matched, and which of their names it was. */
export type SanctionsMatch = ScreeningMatch & { screenedName: string };

export type SanctionsCheck = KycCheck & {
  name: "sanctions";
  matches: SanctionsMatch[];
  /** The stored list version screened against, when the list came from the database. */
  listVersion?: number;
};

function describeMatch(match: SanctionsMatch): string {
  const via = match.matchedAlias ? ` (alias "${match.matchedName}")` : "";
  const programs = match.programs.length > 0 ? match.programs.join(", ") : "no program listed";
  const label = match.programs.length > 1 ? "programs" : "program";
  return `entry ${match.entryId} "${match.entryName}"${via}, ${label} ${programs}, score ${match.score.toFixed(3)}, for "${match.screenedName}"`;
}

/**
 * Screens every name the applicant has given (with its date of birth) against the loaded list, so a second
 * submission under a shortened name is still screened under the first. Any match at or above the threshold →
 * `review`: a compliance officer decides, and the detail (for the reviewer only) names the best entry, its
 * programs, the score and whether name and date of birth both match. No list loaded → `review`: a screening
 * that could not run never passes.
 */
export function checkSanctions(
  index: ScreeningIndex | null,
  identities: readonly Identity[],
  threshold = DEFAULT_SCREENING_THRESHOLD,
): SanctionsCheck {
  if (!index || index.count === 0) {
    return {
      name: "sanctions",
      result: "review",
      detail: "Sanctions list is not loaded; screening could not run",
      matches: [],
    };
  }
  const version = index.version === null ? {} : { listVersion: index.version };
  const best = new Map<number, SanctionsMatch>();
  const names = new Set<string>();
  for (const identity of identities) {
    names.add(identity.legalName);
    const { matches } = screenName(
      index,
      { name: identity.legalName, dateOfBirth: identity.dateOfBirth },
      { threshold, limit: 5 },
    );
    for (const match of matches) {
      const known = best.get(match.entryId);
      const better =
        !known ||
        Number(match.exact && match.dobMatch) > Number(known.exact && known.dobMatch) ||
        match.score > known.score;
      if (better) best.set(match.entryId, { ...match, screenedName: identity.legalName });
    }
  }
  const matches = [...best.values()]
    .sort((a, b) => Number(b.exact && b.dobMatch) - Number(a.exact && a.dobMatch) || b.score - a.score)
    .slice(0, 5);
  const [top] = matches;
  if (top) {
    const confirmed = top.exact && top.dobMatch ? "Name and date of birth match" : "Possible match with";
    const dob = !top.exact && top.dobMatch ? ", date of birth matches" : "";
    const more = matches.length > 1 ? ` (and ${matches.length - 1} more)` : "";
    return {
      name: "sanctions",
      result: "review",
      detail: `${confirmed} sanctions list ${describeMatch(top)}${dob}${more}`,
      matches,
      ...version,
    };
  }
  const screened = names.size > 1 ? ` (${names.size} names screened)` : "";
  return {
    name: "sanctions",
    result: "pass",
    detail: `No match at or above ${threshold.toFixed(2)} among ${index.count} sanctions list entries${screened}`,
    matches,
    ...version,
  };
}

/* ---------------------------------------------------------------- decision */

/** Any fail → rejected; else any review → review; all pass → verified. No checks at all → review, never verified. */
export function decideKycStatus(checks: readonly KycCheck[]): KycStatus {
  if (checks.some((check) => check.result === "fail")) return "rejected";
  if (checks.length === 0 || checks.some((check) => check.result === "review")) return "review";
  return "verified";
}

export type KycApplication = {
  legalName: string;
  dateOfBirth: string;
  country: string;
  documentType: DocumentType;
  documentNumber: string;
};

export type KycCheckSettings = {
  sanctionsIndex: ScreeningIndex | null;
  /** Every name and date of birth the applicant gave before: screened again with this one. */
  earlierIdentities?: readonly Identity[];
  highRiskCountries: readonly string[];
  sanctionsThreshold?: number;
  onHighRiskCountry?: "fail" | "review";
  now?: Date;
};

/**
 * All four checks in their fixed order, and the status they decide. A sanctions match sends the application to
 * review whatever else failed: it is final until a reviewer decides, and a rejection for another reason would
 * let the applicant try again at once.
 */
export function runKycChecks(
  application: KycApplication,
  settings: KycCheckSettings,
): { status: KycStatus; checks: [KycCheck, KycCheck, KycCheck, SanctionsCheck] } {
  const dateOfBirth = parseIsoDate(application.dateOfBirth) ? application.dateOfBirth : null;
  const sanctions = checkSanctions(
    settings.sanctionsIndex,
    [{ legalName: application.legalName, dateOfBirth }, ...(settings.earlierIdentities ?? [])],
    settings.sanctionsThreshold,
  );
  const checks: [KycCheck, KycCheck, KycCheck, SanctionsCheck] = [
    checkAge(application.dateOfBirth, settings.now ?? new Date()),
    checkDocumentNumber(application.documentType, application.documentNumber, application.country),
    checkCountry(application.country, settings.highRiskCountries, { onHighRisk: settings.onHighRiskCountry }),
    sanctions,
  ];
  return { status: sanctions.matches.length > 0 ? "review" : decideKycStatus(checks), checks };
}
