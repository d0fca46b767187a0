import { DEFAULT_AML_VELOCITY } from "../../config";
import { FATF_CALL_FOR_ACTION } from "../../countries";

export type AmlConfig = {
  /** One movement at or above this is reported (the US currency transaction report level, $10,000.00). */
  reportingThresholdCents: number;
  /** Structuring band: amounts in [ratio × threshold, threshold). */
  structuringFloorRatio: number;
  /** How many in-band amounts inside the window make structuring. */
  structuringCount: number;
  structuringWindowDays: number;
  /** Velocity fires when more than this many movements fall inside the window. */
  velocityMaxCount: number;
  velocityWindowHours: number;
  /** ISO 3166-1 alpha-2 codes of counterparties' countries that raise an alert. */
  highRiskCountries: readonly string[];
};

/** The velocity default, and why it is 5 a day, is in server/config.ts with the variable that overrides it. */
export const DEFAULT_AML_CONFIG: AmlConfig = {
  reportingThresholdCents: 1_000_000,
  structuringFloorRatio: 0.8,
  structuringCount: 3,
  structuringWindowDays: 7,
  velocityMaxCount: DEFAULT_AML_VELOCITY.count,
  velocityWindowHours: DEFAULT_AML_VELOCITY.windowSeconds / 3600,
  highRiskCountries: FATF_CALL_FOR_ACTION,
};
