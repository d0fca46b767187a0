import { z } from "zod";

const booleanFlag = z
  .enum(["true", "false", "1", "0"])
  .transform((value) => value === "true" || value === "1");

const commaList = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);

const positiveInt = z.coerce.number().int().positive();

const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),

  CORS_ORIGINS: commaList.default([]),
  BODY_LIMIT_BYTES: positiveInt.default(100_000),
  TRUST_PROXY: commaList.default([]),

  SESSION_TTL_DAYS: positiveInt.default(30),
  SESSION_COOKIE_NAME: z.string().min(1).default("blockscore_session"),
  SESSION_COOKIE_SECURE: booleanFlag.optional(),
});

export type Config = Omit<z.infer<typeof configSchema>, "SESSION_COOKIE_SECURE"> & {
  SESSION_COOKIE_SECURE: boolean;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment once; every problem is reported with the variable it belongs to. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const config = parsed.data;
  return {
    ...config,
    SESSION_COOKIE_SECURE: config.SESSION_COOKIE_SECURE ?? config.NODE_ENV === "production",
  };
}
