import { connectDatabase, migrateDatabase } from "../db/client";
import { createApp } from "./app";
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./logger";

async function start(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  const connection = await connectDatabase(
    config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: config.DATA_DIR },
  );
  await migrateDatabase(connection);
  const app = createApp({ config, db: connection.db, logger });
  app.listen({ port: config.PORT, hostname: config.HOST });
  logger.info({ port: app.server?.port, database: connection.driver }, "BlockScore listening");

  const stop = async (signal: string) => {
    logger.info({ signal }, "shutting down");
    await app.stop();
    await connection.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

await start();
