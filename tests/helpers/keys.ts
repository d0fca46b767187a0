/** The suite's server keys: fixed, so every deps object of a run seals and chains alike. */
export const TEST_SERVER_KEYS = {
  MFA_ENCRYPTION_KEY: "6d".repeat(32),
  AUDIT_HMAC_KEY: "61".repeat(32),
} as const;

/** Presented as a bearer token, it reads /api/health with every check's details. */
export const TEST_METRICS_TOKEN = "metrics-token-for-tests-0123456789abcdef";
