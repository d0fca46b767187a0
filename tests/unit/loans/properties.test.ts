/** Property tests (fast-check) for the money paths: parsing and formatting, schedules, allocation, the journal. */
import { describe, expect, it } from "bun:test";
import fc from "fast-check";
import {
  assertBalanced,
  disbursementEntries,
  type JournalLine,
  repaymentEntries,
  trialBalance,
} from "../../../server/loans/journal";
import {
  allocateRepayment,
  applyAllocation,
  type InstalmentDue,
  outstandingCents,
} from "../../../server/loans/repayment";
import { amortizationSchedule } from "../../../server/loans/schedule";
import { formatMoney, parseMoney, tryParseMoney } from "../../../server/money";

const cents = fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const scheduleParams = fc.record({
  principalCents: fc.integer({ min: 1, max: 10_000_000_00 }),
  aprBasisPoints: fc.integer({ min: 0, max: 9_999 }),
  termMonths: fc.integer({ min: 1, max: 360 }),
  scheduleType: fc.constantFrom("equal_installments" as const, "equal_principal" as const),
});
const start = new Date("2025-01-15T00:00:00Z");

describe("money", () => {
  it("formats any whole number of cents so that parsing gives it back", () => {
    fc.assert(
      fc.property(cents, (value) => parseMoney(formatMoney(value), { allowNegative: true }) === value),
    );
  });

  it("parses a decimal with up to two places exactly, as the digits say", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 13n }),
        fc.integer({ min: 0, max: 99 }),
        (whole, fraction) => {
          const text = `${whole}.${String(fraction).padStart(2, "0")}`;
          expect(parseMoney(text)).toBe(Number(whole * 100n + BigInt(fraction)));
        },
      ),
    );
  });

  it("refuses three or more decimal places instead of rounding", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.integer({ min: 100, max: 999_999 }), (whole, fraction) => {
        const parsed = tryParseMoney(`${whole}.${fraction}`);
        expect(parsed).toMatchObject({ ok: false, code: "TOO_MANY_DECIMALS" });
      }),
    );
  });

  it("refuses anything that is not a plain decimal", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!/^-?\d+(\.\d{1,2})?$/.test(text));
        expect(tryParseMoney(text, { allowNegative: true }).ok).toBe(false);
      }),
    );
  });
});

describe("schedules", () => {
  it("repay exactly the amount, the last instalment absorbing the rounding, and never go below zero", () => {
    fc.assert(
      fc.property(scheduleParams, (params) => {
        const schedule = amortizationSchedule({ ...params, startDate: start });
        const items = schedule.instalments;
        expect(items).toHaveLength(params.termMonths);
        expect(items.reduce((sum, item) => sum + item.principalCents, 0)).toBe(params.principalCents);
        expect(items.at(-1)?.balanceCents).toBe(0);
        for (const item of items) {
          expect(item.balanceCents).toBeGreaterThanOrEqual(0);
          expect(item.principalCents).toBeGreaterThanOrEqual(0);
          expect(item.interestCents).toBeGreaterThanOrEqual(0);
          expect(item.paymentCents).toBe(item.principalCents + item.interestCents);
        }
        // Every instalment but the last is the level amount (equal instalments) or the level principal, unless it
        // paid off what was left (a tiny loan rounds its level up) or its interest exceeded the level.
        const level =
          params.scheduleType === "equal_principal"
            ? Math.floor(params.principalCents / params.termMonths)
            : schedule.monthlyPaymentCents;
        for (const item of items.slice(0, -1)) {
          const regular = params.scheduleType === "equal_principal" ? item.principalCents : item.paymentCents;
          if (item.principalCents > 0 && item.balanceCents > 0) expect(regular).toBe(level);
        }
        expect(schedule.totalPayableCents).toBe(params.principalCents + schedule.totalInterestCents);
      }),
    );
  });
});

type ScheduleInput = {
  principalCents: number;
  aprBasisPoints: number;
  termMonths: number;
  scheduleType: "equal_installments" | "equal_principal";
};

function dueFrom(params: ScheduleInput): InstalmentDue[] {
  return amortizationSchedule({ ...params, startDate: start }).instalments.map((item) => ({
    n: item.n,
    dueDate: item.dueDate,
    principalCents: item.principalCents,
    interestCents: item.interestCents,
    paidPrincipalCents: 0,
    paidInterestCents: 0,
  }));
}

describe("repayment allocation", () => {
  it("splits every payment whole, earliest instalment first and interest before principal, never beyond what is owed", () => {
    fc.assert(
      fc.property(
        scheduleParams.filter((params) => params.termMonths <= 60),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
        (params, fractions) => {
          let items = dueFrom(params);
          for (const fraction of fractions) {
            const owed = outstandingCents(items);
            if (owed === 0) break;
            const amount = Math.max(1, Math.floor(owed * fraction));
            const allocation = allocateRepayment(items, amount);
            expect(allocation.principalCents + allocation.interestCents).toBe(amount);
            expect(allocation.outstandingAfterCents).toBe(owed - amount);
            // Only the last instalment touched may be left partly paid.
            const touched = allocation.allocations.map((line) => line.n);
            items = applyAllocation(items, allocation);
            for (const n of touched.slice(0, -1)) {
              const item = items.find((candidate) => candidate.n === n) as InstalmentDue;
              expect(item.paidPrincipalCents).toBe(item.principalCents);
              expect(item.paidInterestCents).toBe(item.interestCents);
            }
            for (const item of items) {
              expect(item.paidPrincipalCents).toBeLessThanOrEqual(item.principalCents);
              expect(item.paidInterestCents).toBeLessThanOrEqual(item.interestCents);
            }
            expect(outstandingCents(items)).toBe(owed - amount);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("refuses more than the outstanding balance", () => {
    fc.assert(
      fc.property(
        scheduleParams.filter((params) => params.termMonths <= 60),
        fc.integer({ min: 1, max: 10_000 }),
        (params, extra) => {
          const items = dueFrom(params);
          expect(() => allocateRepayment(items, outstandingCents(items) + extra)).toThrow(
            "more than the outstanding",
          );
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("the journal", () => {
  it("balances every posting a loan's life makes, and so the whole ledger", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000_00 }),
        fc.array(
          fc.record({
            principalCents: fc.nat(1_000_000),
            interestCents: fc.nat(100_000),
            unallocatedCents: fc.nat(10_000),
            accruedInterestCents: fc.nat(100_000),
          }),
          { maxLength: 12 },
        ),
        (principal, repayments) => {
          const lines: JournalLine[] = [...disbursementEntries(principal)];
          for (const { accruedInterestCents, ...split } of repayments) {
            if (split.principalCents + split.interestCents + split.unallocatedCents === 0) continue;
            const entry = repaymentEntries(split, { accruedInterestCents });
            assertBalanced(entry);
            lines.push(...entry);
          }
          const balance = trialBalance(lines);
          expect(balance.balanced).toBe(true);
          expect(balance.totalDebitCents).toBe(balance.totalCreditCents);
        },
      ),
    );
  });

  it("refuses an entry whose debits and credits differ", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1000 }),
        (amount, skew) => {
          const lines: JournalLine[] = [
            { account: "cash", debitCents: amount + skew, creditCents: 0 },
            { account: "loans_receivable", debitCents: 0, creditCents: amount },
          ];
          expect(() => assertBalanced(lines)).toThrow();
        },
      ),
    );
  });
});
