/* `npm run restore -- file [--replace]`: loads a backup into an empty database (src/db/backup.ts). */
import "dotenv/config";
import path from "node:path";
import pino from "pino";
import mongoose from "mongoose";
import { ConfigError, loadDatabaseConfig } from "../config";
import { connectDatabase } from "../db";
import { restoreDatabase, RestoreRefused } from "../db/backup";

async function main() {
  const args = process.argv.slice(2);
  const replace = args.includes("--replace");
  const files = args.filter((a) => a !== "--replace");
  if (files.length !== 1) {
    console.error("usage: npm run restore -- <backup file> [--replace]");
    process.exit(2);
  }
  const config = loadDatabaseConfig();
  const logger = pino({ level: config.logLevel });
  const file = path.resolve(files[0]);
  const db = await connectDatabase({ uri: config.mongodbUri, dbPath: config.embeddedDbPath, logger });
  try {
    const started = Date.now();
    const res = await restoreDatabase(mongoose.connection.db!, file, { replace });
    const total = Object.values(res.documents).reduce((a, b) => a + b, 0);
    logger.info({ file, from: res.header.createdAt, documents: total, ms: Date.now() - started }, "backup restored (indexes are built when the bot starts)");
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  const message = err instanceof ConfigError || err instanceof RestoreRefused ? err.message : `restore failed: ${err instanceof Error ? err.message : String(err)}`;
  console.error(message);
  process.exit(1);
});
