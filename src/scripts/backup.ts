/* `npm run backup [-- file]`: every collection to one gzip file (src/db/backup.ts). README: Operations. */
import "dotenv/config";
import path from "node:path";
import fs from "node:fs";
import pino from "pino";
import { ConfigError, loadDatabaseConfig } from "../config";
import { connectDatabase } from "../db";
import { backupDatabase } from "../db/backup";
import mongoose from "mongoose";

/** backups/aspirasi-20261207-0930.ndjson.gz (UTC), beside the working directory. */
function defaultFile(now: Date): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
  return path.resolve("backups", `aspirasi-${stamp}.ndjson.gz`);
}

async function main() {
  const config = loadDatabaseConfig();
  const logger = pino({ level: config.logLevel });
  const file = path.resolve(process.argv[2] ?? defaultFile(new Date()));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = await connectDatabase({ uri: config.mongodbUri, dbPath: config.embeddedDbPath, logger });
  try {
    const started = Date.now();
    const res = await backupDatabase(mongoose.connection.db!, file);
    const total = Object.values(res.documents).reduce((a, b) => a + b, 0);
    logger.info({ file, documents: total, bytes: res.bytes, ms: Date.now() - started }, "backup written");
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `backup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
