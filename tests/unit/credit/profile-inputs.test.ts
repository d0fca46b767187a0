import { describe, expect, it } from "bun:test";
import { ageOn } from "../../../server/age";
import { EMPTY_PAYMENT_RECORD, type PaymentRecord } from "../../../server/credit/payment-record";
import {
  insufficientData,
  profileToInputs,
  type ScoringProfile,
} from "../../../server/credit/profile-inputs";
import { DomainError } from "../../../server/errors";

const PROFILE: ScoringProfile = {
  dateOfBirth: "1980-03-15",
  annualIncomeCents: 7_200_000,
  monthlyDebtPaymentsCents: 150_050,
  revolvingUtilizationPercent: 35,
  openCreditLines: 6,
  realEstateLoans: 1,
  dependants: 2,
  pastDue30to59: 1,
  pastDue60to89: 0,
  pastDue90Plus: 0,
  creditHistoryYears: 9.5,
  recentInquiries: 3,
};
const AT = new Date("2026-03-14T12:00:00Z");

describe("profileToInputs", () => {
  it("converts the profile's units to the engines' units", () => {
    expect(profileToInputs(PROFILE, EMPTY_PAYMENT_RECORD, null, AT)).toEqual({
      age: 45,
      monthlyIncome: 6000,
      monthlyDebtPayments: 1500.5,
      revolvingUtilization: 0.35,
      openCreditLines: 6,
      realEstateLoans: 1,
      dependants: 2,
      pastDue30to59: 1,
      pastDue60to89: 0,
      pastDue90Plus: 0,
      creditHistoryYears: 9.5,
      recentInquiries: 3,
      walletAgeDays: null,
      walletTxCount: null,
    });
  });

  it("counts age in whole years at calculation time", () => {
    expect(ageOn("1980-03-15", new Date("2026-03-14T23:59:59Z"))).toBe(45);
    expect(ageOn("1980-03-15", new Date("2026-03-15T00:00:00Z"))).toBe(46);
    expect(ageOn("2000-02-29", new Date("2026-02-28T00:00:00Z"))).toBe(25);
    expect(ageOn("2000-02-29", new Date("2026-03-01T00:00:00Z"))).toBe(26);
  });

  it("adds the platform record to the declared counters", () => {
    const record: PaymentRecord = {
      onTimeInstalments: 10,
      lateInstalments: 2,
      defaultedLoans: 1,
      openLoans: 1,
    };
    expect(profileToInputs(PROFILE, record, null, AT)).toMatchObject({
      pastDue30to59: 3,
      pastDue60to89: 0,
      pastDue90Plus: 1,
      openCreditLines: 7,
    });
    const byDays = { ...record, lateByDaysPastDue: { from30to59: 0, from60to89: 1, from90: 1 } };
    expect(profileToInputs(PROFILE, byDays, null, AT)).toMatchObject({
      pastDue30to59: 1,
      pastDue60to89: 1,
      pastDue90Plus: 2,
    });
  });

  it("leaves an undeclared counter unknown rather than standing the platform record in for it", () => {
    const record: PaymentRecord = {
      onTimeInstalments: 0,
      lateInstalments: 1,
      defaultedLoans: 0,
      openLoans: 2,
    };
    const inputs = profileToInputs(
      { ...PROFILE, pastDue30to59: null, openCreditLines: null },
      record,
      null,
      AT,
    );
    expect(inputs.pastDue30to59).toBeNull();
    expect(inputs.openCreditLines).toBeNull();
  });

  it("takes the wallet's on-chain activity when there is one", () => {
    const inputs = profileToInputs(
      PROFILE,
      EMPTY_PAYMENT_RECORD,
      { walletAgeDays: 400, walletTxCount: 12 },
      AT,
    );
    expect(inputs).toMatchObject({ walletAgeDays: 400, walletTxCount: 12 });
  });

  it("refuses an applicant under 18", () => {
    expect(() =>
      profileToInputs({ ...PROFILE, dateOfBirth: "2010-01-01" }, EMPTY_PAYMENT_RECORD, null, AT),
    ).toThrow(DomainError);
  });
});

describe("insufficientData", () => {
  it("names the missing inputs by their profile fields", () => {
    const error = insufficientData(["revolvingUtilization", "pastDue90Plus"]);
    expect(error).toMatchObject({ kind: "invalid_input", code: "INSUFFICIENT_DATA" });
    expect(error.details).toEqual({ fields: ["pastDue90Plus", "revolvingUtilizationPercent"] });
    expect(error.message).toContain("pastDue90Plus, revolvingUtilizationPercent");
  });
});
