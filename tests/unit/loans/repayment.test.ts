import { describe, expect, test } from "bun:test";
import {
  allocateRepayment,
  applyAllocation,
  instalmentState,
  outstandingCents,
  RepaymentError,
} from "../../../server/loans/repayment";
import { day, unpaidInstalments } from "./helpers";

describe("allocateRepayment", () => {
  test("one instalment's payment pays its interest, then its principal", () => {
    const result = allocateRepayment(unpaidInstalments(), 88_849);
    expect(result.allocations).toEqual([{ n: 1, interestCents: 10_000, principalCents: 78_849 }]);
    expect(result).toMatchObject({
      interestCents: 10_000,
      principalCents: 78_849,
      outstandingAfterCents: 1_066_186 - 88_849,
    });
  });

  test("a small payment goes to interest first", () => {
    const result = allocateRepayment(unpaidInstalments(), 12_000);
    expect(result.allocations).toEqual([{ n: 1, interestCents: 10_000, principalCents: 2_000 }]);
  });

  test("pays the earliest due instalment first, whatever order the rows come in", () => {
    const rows = unpaidInstalments().reverse();
    const result = allocateRepayment(rows, 100_000);
    expect(result.allocations.map((line) => line.n)).toEqual([1, 2]);
    expect(result.allocations[1]).toEqual({
      n: 2,
      interestCents: 9_212,
      principalCents: 100_000 - 88_849 - 9_212,
    });
  });

  test("finishes a partly paid instalment before the next, interest still first", () => {
    const rows = unpaidInstalments();
    const first = allocateRepayment(rows, 5_000);
    const afterFirst = applyAllocation(rows, first);
    expect(afterFirst[0]).toMatchObject({ paidInterestCents: 5_000, paidPrincipalCents: 0 });
    const second = allocateRepayment(afterFirst, 95_000);
    expect(second.allocations).toEqual([
      { n: 1, interestCents: 5_000, principalCents: 78_849 },
      { n: 2, interestCents: 9_212, principalCents: 1_939 },
    ]);
  });

  test("paying the outstanding balance pays every instalment in full", () => {
    const rows = unpaidInstalments();
    const total = outstandingCents(rows);
    expect(total).toBe(1_066_186);
    const result = allocateRepayment(rows, total);
    expect(result.principalCents).toBe(1_000_000);
    expect(result.interestCents).toBe(66_186);
    expect(result.outstandingAfterCents).toBe(0);
    const after = applyAllocation(rows, result);
    expect(outstandingCents(after)).toBe(0);
    expect(after.every((item) => instalmentState(item, day("2025-01-20"), 5) === "paid")).toBe(true);
  });

  test("refuses more than the outstanding balance, naming it", () => {
    const rows = unpaidInstalments();
    expect(() => allocateRepayment(rows, 1_066_187)).toThrow(
      "The repayment of 10661.87 is more than the outstanding 10661.86",
    );
    try {
      allocateRepayment(rows, 1_066_187);
    } catch (error) {
      expect(error).toBeInstanceOf(RepaymentError);
      expect(error).toMatchObject({ code: "OVERPAYMENT", outstandingCents: 1_066_186 });
    }
  });

  test.each([0, -1, 1.5, Number.NaN])("refuses %p", (amount) => {
    expect(() => allocateRepayment(unpaidInstalments(), amount)).toThrow(
      expect.objectContaining({ code: "INVALID_AMOUNT" }) as unknown as Error,
    );
  });

  test("refuses any payment on a loan with nothing outstanding", () => {
    const rows = unpaidInstalments();
    const paid = applyAllocation(rows, allocateRepayment(rows, outstandingCents(rows)));
    expect(() => allocateRepayment(paid, 1)).toThrow(
      expect.objectContaining({ code: "NOTHING_OUTSTANDING" }) as unknown as Error,
    );
  });
});

describe("instalmentState", () => {
  // Instalment 1 is due 2025-02-15; grace 5 days.
  const [first] = unpaidInstalments();
  if (!first) throw new Error("no instalment");
  const partly = { ...first, paidInterestCents: 10_000 };

  test("unpaid and not yet past grace is pending, partly paid is partially_paid", () => {
    expect(instalmentState(first, day("2025-02-01"), 5)).toBe("pending");
    expect(instalmentState(first, day("2025-02-20"), 5)).toBe("pending");
    expect(instalmentState(partly, day("2025-02-20"), 5)).toBe("partially_paid");
  });

  test("anything unpaid the day after grace ends is late", () => {
    expect(instalmentState(first, day("2025-02-21"), 5)).toBe("late");
    expect(instalmentState(partly, day("2025-02-21"), 5)).toBe("late");
    expect(instalmentState(first, day("2025-02-16"), 0)).toBe("late");
  });

  test("fully paid is paid, even long after the due date", () => {
    expect(
      instalmentState(
        { ...first, paidInterestCents: 10_000, paidPrincipalCents: 78_849 },
        day("2026-01-01"),
        5,
      ),
    ).toBe("paid");
  });
});
