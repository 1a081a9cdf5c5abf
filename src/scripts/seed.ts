/* Loads the sentras from data/sentras.json into MongoDB. Safe to run twice (upsert by slug). */
import "dotenv/config";
import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { connectDatabase } from "../db";
import { seedSentras, type SentraSeed } from "../domain/sentras";

async function main() {
  const logger = pino({ level: process.env.LOG_LEVEL || "info" });
  const file = path.resolve(process.argv[2] ?? path.join(__dirname, "../../data/sentras.json"));
  const entries = JSON.parse(fs.readFileSync(file, "utf8")) as SentraSeed[];
  const db = await connectDatabase({ uri: process.env.MONGODB_URI || undefined, dbPath: process.env.EMBEDDED_DB_PATH || ".data/mongodb", logger });
  try {
    const res = await seedSentras(entries);
    logger.info({ file, ...res, total: entries.length }, "sentras seeded");
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(`seed failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
