import pino, { type Logger } from "pino";
import type { Config } from "./config";

/** JSON lines; anything that could carry a credential is redacted before it is written. */
export function createLogger(config: Pick<Config, "LOG_LEVEL" | "NODE_ENV">): Logger {
  return pino({
    level: config.NODE_ENV === "test" && config.LOG_LEVEL === "info" ? "silent" : config.LOG_LEVEL,
    base: { service: "blockscore" },
    redact: {
      paths: [
        "*.password",
        "*.currentPassword",
        "*.newPassword",
        "*.token",
        "*.secret",
        "*.code",
        "*.recoveryCode",
        "*.authorization",
        "*.cookie",
        "headers.authorization",
        "headers.cookie",
      ],
      censor: "[redacted]",
    },
  });
}
