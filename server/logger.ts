import pino, { type DestinationStream, type Logger } from "pino";
import type { Config } from "./config";
import { serializeError } from "./log-redaction";

/**
 * JSON lines; anything that could carry a credential is redacted before it is written, and errors go through
 * `serializeError`, so no query parameter or row value is ever logged. Outside tests the lines go to stdout
 * asynchronously: a write in flight collects the lines that follow it, so a busy server makes one write call for
 * many lines instead of a blocking one per line; what is still buffered is written at exit.
 */
export function createLogger(
  config: Pick<Config, "LOG_LEVEL" | "NODE_ENV">,
  destination?: DestinationStream,
  bindings: Record<string, string | number> = {},
): Logger {
  const testing = config.NODE_ENV === "test";
  const options = {
    level: testing && config.LOG_LEVEL === "info" ? "silent" : config.LOG_LEVEL,
    base: { service: "blockscore", pid: process.pid, ...bindings },
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
  if (destination) return pino(options, destination);
  const stdout = pino.destination({ dest: 1, sync: testing });
  if (!testing) {
    process.once("exit", () => {
      try {
        stdout.flushSync();
      } catch {}
    });
  }
  return pino(options, stdout);
}
