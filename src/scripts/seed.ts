/* Loads the sentras (data/sentras.json) and the holidays (data/holidays/<year>.json) into MongoDB. Safe to run twice. */
import "dotenv/config";
import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { ConfigError, loadDatabaseConfig } from "../config";
import { connectDatabase } from "../db";
import { seedSentras, type SentraSeed } from "../domain/sentras";
import { seedHolidayFiles } from "../domain/holidays";

async function main() {
  const config = loadDatabaseConfig();
  const logger = pino({ level: config.logLevel });
  const file = path.resolve(process.argv[2] ?? path.join(__dirname, "../../data/sentras.json"));
  const holidaysDir = path.resolve(process.argv[3] ?? path.join(__dirname, "../../data/holidays"));
  const entries = JSON.parse(fs.readFileSync(file, "utf8")) as SentraSeed[];
  const db = await connectDatabase({ uri: config.mongodbUri, dbPath: config.embeddedDbPath, logger });
  try {
    const res = await seedSentras(entries);
    logger.info({ file, ...res, total: entries.length }, "sentras seeded");
    const days = await seedHolidayFiles(holidaysDir);
    logger.info({ dir: holidaysDir, ...days }, "holidays seeded");
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  // A configuration error is already one line naming the variable.
  console.error(err instanceof ConfigError ? err.message : `seed failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
