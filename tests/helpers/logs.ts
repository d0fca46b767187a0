import type { Logger } from "pino";
import { createLogger } from "../../server/logger";

/** The app's real logger (serializers, redaction) writing JSON lines into an array instead of stdout. */
export function capturingLogger(): { logger: Logger; lines: string[]; records(): Record<string, unknown>[] } {
  const lines: string[] = [];
  const logger = createLogger(
    { LOG_LEVEL: "debug", NODE_ENV: "production" },
    { write: (line: string) => lines.push(line) },
  );
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
