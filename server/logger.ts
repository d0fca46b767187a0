import pino, { type DestinationStream, type Logger } from "pino";
import type { Config } from "./config";
import { serializeError } from "./log-redaction";

/**
 * JSON lines; anything that could carry a credential is redacted before it is written, and errors go through
 * `serializeError`, so no query parameter or row value is ever logged.
 */
export function createLogger(
  config: Pick<Config, "LOG_LEVEL" | "NODE_ENV">,
  destination?: DestinationStream,
): Logger {
  const options = {
    level: config.NODE_ENV === "test" && config.LOG_LEVEL === "info" ? "silent" : config.LOG_LEVEL,
    base: { service: "blockscore" },
    serializers: { err: serializeError },
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
  };
  return destination ? pino(options, destination) : pino(options);
}
