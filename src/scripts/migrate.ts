/* `npm run migrate`: the start-up migrations alone (src/db/migrations.ts), e.g. before a rolling restart. */
import "dotenv/config";
import pino from "pino";
import mongoose from "mongoose";
import { ConfigError, loadDatabaseConfig } from "../config";
import { connectDatabase } from "../db";
import { runMigrations } from "../db/migrations";

async function main() {
  const config = loadDatabaseConfig();
  const logger = pino({ level: config.logLevel });
  const db = await connectDatabase({ uri: config.mongodbUri, dbPath: config.embeddedDbPath, logger });
  try {
    const { applied } = await runMigrations(mongoose.connection.db!, { logger });
    logger.info({ applied: applied.length }, applied.length ? "migrations done" : "nothing to migrate");
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `migrate failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
