import { describe, expect, test } from "bun:test";
import { assessDelinquency } from "../../../server/loans/delinquency";
import { allocateRepayment, applyAllocation, outstandingCents } from "../../../server/loans/repayment";
import { day, unpaidInstalments } from "./helpers";

const policy = { graceDays: 5, defaultAfterDays: 90 };

describe("assessDelinquency", () => {
  test("nothing is late before the first due date or within grace", () => {
    expect(assessDelinquency(unpaidInstalments(), day("2025-02-01"), policy)).toEqual({
      lateInstalments: [],
      shouldDefault: false,
      daysPastDue: 0,
    });
    expect(assessDelinquency(unpaidInstalments(), day("2025-02-20"), policy)).toEqual({
      lateInstalments: [],
      shouldDefault: false,
      daysPastDue: 5,
    });
  });

  test("an instalment is late the day after its grace period ends", () => {
    expect(assessDelinquency(unpaidInstalments(), day("2025-02-21"), policy)).toMatchObject({
      lateInstalments: [1],
      daysPastDue: 6,
    });
  });

  test("every unpaid instalment past grace is listed, in due order", () => {
    const result = assessDelinquency(unpaidInstalments(), day("2025-04-25"), policy);
    expect(result.lateInstalments).toEqual([1, 2, 3]);
    expect(result.daysPastDue).toBe(69); // from 2025-02-15
  });

  test("paid instalments are not late and days past due count from the oldest unpaid one", () => {
    const rows = unpaidInstalments();
    const paid = applyAllocation(rows, allocateRepayment(rows, 88_849));
    const result = assessDelinquency(paid, day("2025-03-21"), policy);
    expect(result.lateInstalments).toEqual([2]);
    expect(result.daysPastDue).toBe(6);
  });

  test("a partly paid instalment past grace is still late", () => {
    const rows = unpaidInstalments();
    const partly = applyAllocation(rows, allocateRepayment(rows, 50_000));
    expect(assessDelinquency(partly, day("2025-02-21"), policy).lateInstalments).toEqual([1]);
  });

  test("the loan should default only more than defaultAfterDays past due", () => {
    // 2025-02-15 + 90 days = 2025-05-16
    expect(assessDelinquency(unpaidInstalments(), day("2025-05-16"), policy)).toMatchObject({
      daysPastDue: 90,
      shouldDefault: false,
    });
    expect(assessDelinquency(unpaidInstalments(), day("2025-05-17"), policy)).toMatchObject({
      daysPastDue: 91,
      shouldDefault: true,
    });
  });

  test("a fully repaid loan is never delinquent", () => {
    const rows = unpaidInstalments(3);
    const paid = applyAllocation(rows, allocateRepayment(rows, outstandingCents(rows)));
    expect(assessDelinquency(paid, day("2030-01-01"), policy)).toEqual({
      lateInstalments: [],
      shouldDefault: false,
      daysPastDue: 0,
    });
  });

  test("refuses a default threshold inside the grace period", () => {
    expect(() => assessDelinquency([], day("2025-01-01"), { graceDays: 10, defaultAfterDays: 5 })).toThrow(
      RangeError,
    );
    expect(() => assessDelinquency([], day("2025-01-01"), { graceDays: -1, defaultAfterDays: 5 })).toThrow(
      RangeError,
    );
  });
});
