import { describe, expect, test } from "bun:test";
import { type AmlConfig, DEFAULT_AML_CONFIG } from "../../../server/compliance/aml/config";
import { assessRisk, riskLevel } from "../../../server/compliance/aml/risk";
import {
  evaluateMovement,
  highRiskCountryRule,
  largeAmountRule,
  structuringRule,
  velocityRule,
} from "../../../server/compliance/aml/rules";
import type { Movement } from "../../../server/compliance/aml/types";

const config: AmlConfig = {
  ...DEFAULT_AML_CONFIG,
  velocityMaxCount: 5,
  velocityWindowHours: 24,
  highRiskCountries: ["IR", "KP"],
};
const start = Date.parse("2025-03-01T09:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let seq = 0;
function movement(amountCents: number, offsetMs: number, extra: Partial<Movement> = {}): Movement {
  seq += 1;
  return {
    id: `m${seq}`,
    amountCents,
    direction: "in",
    kind: "repayment",
    counterpartyCountry: null,
    occurredAt: new Date(start + offsetMs),
    ...extra,
  };
}

/** Records movements one by one, as the ledger would, and collects the hits of each. */
function record(movements: Movement[]) {
  const history: Movement[] = [];
  return movements.map((m) => {
    const hits = evaluateMovement(m, history, config);
    history.push(m);
    return hits.map((hit) => hit.rule);
  });
}

describe("large amount", () => {
  test("fires at 10,000.00 and above", () => {
    const hit = largeAmountRule(movement(1_000_000, 0), config);
    expect(hit).toMatchObject({ rule: "large_amount", evidence: { amounts: [1_000_000] }, riskScore: 50 });
    expect(largeAmountRule(movement(4_000_000, 0), config)?.riskScore).toBe(70);
  });

  test("stays quiet at 9,999.99", () => {
    expect(largeAmountRule(movement(999_999, 0), config)).toBeNull();
  });
});

describe("structuring", () => {
  test("fires on the third amount between 8,000.00 and 10,000.00 within 7 days, with all three as evidence", () => {
    const a = movement(800_000, 0);
    const b = movement(950_000, 3 * DAY);
    const c = movement(999_999, 7 * DAY);
    const hit = structuringRule(c, [a, b], config);
    expect(hit).toMatchObject({
      rule: "structuring",
      evidence: { movementIds: [a.id, b.id, c.id], amounts: [800_000, 950_000, 999_999] },
      riskScore: 70,
    });
    expect(hit?.detail).toBe("3 amounts between 8,000.00 and 10,000.00 within 7 days");
  });

  test("stays quiet with only two near-threshold amounts", () => {
    expect(structuringRule(movement(900_000, DAY), [movement(900_000, 0)], config)).toBeNull();
  });

  test("stays quiet when the three are spread over more than 7 days", () => {
    const history = [movement(900_000, 0), movement(900_000, 4 * DAY)];
    expect(structuringRule(movement(900_000, 8 * DAY), history, config)).toBeNull();
  });

  test("stays quiet just below the band (7,999.99) and at the threshold (that is a large amount)", () => {
    const history = [movement(900_000, 0), movement(900_000, DAY)];
    expect(structuringRule(movement(799_999, 2 * DAY), history, config)).toBeNull();
    expect(structuringRule(movement(1_000_000, 2 * DAY), history, config)).toBeNull();
  });

  test("raises one alert for an episode, not one per further movement, and again for a later episode", () => {
    const hits = record([
      movement(900_000, 0),
      movement(900_000, DAY),
      movement(900_000, 2 * DAY), // pattern appears
      movement(900_000, 3 * DAY), // same episode
      movement(900_000, 20 * DAY),
      movement(900_000, 21 * DAY),
      movement(900_000, 22 * DAY), // new episode
    ]);
    expect(hits.map((rules) => rules.includes("structuring"))).toEqual([
      false,
      false,
      true,
      false,
      false,
      false,
      true,
    ]);
  });

  test("gives the same answer whether or not the history already holds the new movement", () => {
    const history = [movement(900_000, 0), movement(900_000, DAY)];
    const latest = movement(900_000, 2 * DAY);
    expect(structuringRule(latest, [...history, latest], config)).toEqual(
      structuringRule(latest, history, config),
    );
  });
});

describe("velocity", () => {
  test("fires when more than 5 movements fall within 24 hours", () => {
    const history = [0, 1, 2, 3, 4].map((h) => movement(10_000, h * HOUR));
    const hit = velocityRule(movement(10_000, 5 * HOUR), history, config);
    expect(hit).toMatchObject({ rule: "velocity", riskScore: 40 });
    expect(hit?.evidence.movementIds).toHaveLength(6);
  });

  test("stays quiet at exactly 5, and when the sixth is more than 24 hours after the first", () => {
    const four = [0, 1, 2, 3].map((h) => movement(10_000, h * HOUR));
    expect(velocityRule(movement(10_000, 4 * HOUR), four, config)).toBeNull();
    const five = [0, 1, 2, 3, 4].map((h) => movement(10_000, h * HOUR));
    expect(velocityRule(movement(10_000, 24 * HOUR + 1), five, config)).toBeNull();
  });

  test("does not raise again for each further movement of the same burst", () => {
    const hits = record([0, 1, 2, 3, 4, 5, 6, 7].map((h) => movement(10_000, h * HOUR)));
    expect(hits.map((rules) => rules.includes("velocity"))).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      false,
      false,
    ]);
  });
});

describe("high-risk country", () => {
  test("fires when the counterparty is in a listed country, in any case", () => {
    expect(highRiskCountryRule(movement(5_000, 0, { counterpartyCountry: "ir" }), config)).toMatchObject({
      rule: "high_risk_country",
      riskScore: 80,
      detail: "Counterparty in high-risk jurisdiction IR",
    });
  });

  test("stays quiet for other countries and unknown counterparties", () => {
    expect(highRiskCountryRule(movement(5_000, 0, { counterpartyCountry: "FR" }), config)).toBeNull();
    expect(highRiskCountryRule(movement(5_000, 0), config)).toBeNull();
  });
});

describe("evaluateMovement", () => {
  test("returns every rule that fires and nothing for an ordinary movement", () => {
    expect(evaluateMovement(movement(25_000, 0), [], config)).toEqual([]);
    const hits = evaluateMovement(movement(2_000_000, 0, { counterpartyCountry: "KP" }), [], config);
    expect(hits.map((hit) => hit.rule)).toEqual(["large_amount", "high_risk_country"]);
    for (const hit of hits) {
      expect(hit.riskScore).toBeGreaterThanOrEqual(0);
      expect(hit.riskScore).toBeLessThanOrEqual(100);
    }
  });

  test("ignores movements recorded after the one being evaluated", () => {
    const later = [movement(900_000, 5 * DAY), movement(900_000, 6 * DAY)];
    expect(evaluateMovement(movement(900_000, 0), later, config)).toEqual([]);
  });
});

describe("risk level", () => {
  test("is low without open alerts", () => {
    expect(riskLevel([])).toBe("low");
    expect(assessRisk([])).toEqual({ level: "low", score: 0 });
  });

  test("is medium with alerts all scored under 70", () => {
    expect(riskLevel([{ riskScore: 50 }, { riskScore: 40 }])).toBe("medium");
  });

  test("is high with any alert scored 70 or more, or three open alerts", () => {
    expect(riskLevel([{ riskScore: 70 }])).toBe("high");
    expect(riskLevel([{ riskScore: 40 }, { riskScore: 40 }, { riskScore: 40 }])).toBe("high");
    expect(assessRisk([{ riskScore: 50 }, { riskScore: 80 }])).toEqual({ level: "high", score: 80 });
  });
});
