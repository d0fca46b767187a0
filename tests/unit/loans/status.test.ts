import { describe, expect, test } from "bun:test";
import { type LoanStatus, loanStatuses } from "../../../db/schema/loan-values";
import {
  assertTransition,
  canTransition,
  closedStatuses,
  IllegalTransitionError,
  isFinalStatus,
  nextStatuses,
} from "../../../server/loans/status";

const legal: Array<[LoanStatus, LoanStatus]> = [
  ["submitted", "approved"],
  ["submitted", "rejected"],
  ["submitted", "withdrawn"],
  ["approved", "disbursed"],
  ["approved", "withdrawn"],
  ["disbursed", "repaid"],
  ["disbursed", "defaulted"],
  ["defaulted", "disbursed"],
  ["defaulted", "written_off"],
];
const isLegal = (from: LoanStatus, to: LoanStatus) => legal.some(([f, t]) => f === from && t === to);
const illegal = loanStatuses.flatMap((from) =>
  loanStatuses.filter((to) => !isLegal(from, to)).map((to): [LoanStatus, LoanStatus] => [from, to]),
);

describe("loan state machine", () => {
  test.each(legal)("%s → %s is allowed", (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  test("every other pair is refused", () => {
    expect(illegal).toHaveLength(loanStatuses.length ** 2 - legal.length);
  });

  test.each(illegal)("%s → %s is refused with an error naming the current state", (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    let error: unknown;
    try {
      assertTransition(from, to);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ code: "ILLEGAL_TRANSITION", from, to });
    expect((error as Error).message).toContain(`The loan is ${from}`);
  });

  test("rejected, withdrawn, repaid and written off are final; a defaulted loan can be restructured or written off", () => {
    expect(loanStatuses.filter(isFinalStatus)).toEqual(["rejected", "withdrawn", "repaid", "written_off"]);
    expect(nextStatuses("defaulted")).toEqual(["disbursed", "written_off"]);
    expect(closedStatuses).toEqual(["rejected", "withdrawn", "repaid", "defaulted", "written_off"]);
    expect(nextStatuses("approved")).toEqual(["disbursed", "withdrawn"]);
    expect(new IllegalTransitionError("repaid", "defaulted").message).toBe(
      "The loan is repaid, which is final; it cannot become defaulted",
    );
    expect(new IllegalTransitionError("approved", "approved").message).toBe(
      "The loan is approved; it cannot become approved (only disbursed or withdrawn)",
    );
  });
});
