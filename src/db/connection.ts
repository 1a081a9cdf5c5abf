import fs from "node:fs";
import path from "node:path";
import mongoose from "mongoose";
import type { Logger } from "../logger";
// Transient refusals (SQLITE_BUSY …) retried inside the storage layer, for every command of the process.
import "./command-guard";

/** How long a query waits for an absent database before it fails. */
const DB_WAIT_MS = 5_000;

export interface Database {
  uri: string;
  embedded: boolean;
  close(): Promise<void>;
  /** Drops the driver's connections and connects again (db/watchdog.ts, when they stay unusable). */
  reconnect(): Promise<void>;
}

/**
 * Connects mongoose. Without a URI, starts an embedded MongoDB (mongodb-memory-server)
 * whose files live in `dbPath`, so the bot runs at once and keeps its data across restarts.
 */
/**
 * A socket that stops answering (a connection cut half-way, a proxy that lost its other side) fails
 * its operation after a minute instead of holding a pooled connection for ever.
 */
const CONNECT_OPTIONS = { serverSelectionTimeoutMS: DB_WAIT_MS, socketTimeoutMS: 60_000 };

export async function connectDatabase(opts: { uri?: string; dbPath: string; logger: Logger }): Promise<Database> {
  const { logger } = opts;
  let uri = opts.uri;
  let stopEmbedded: (() => Promise<unknown>) | undefined;
  if (!uri) {
    const dbPath = path.resolve(opts.dbPath);
    fs.mkdirSync(dbPath, { recursive: true });
    // Loaded lazily: production never needs it.
    const { MongoMemoryServer } = await import("mongodb-memory-server");
    const server = await MongoMemoryServer.create({
      instance: { dbPath, storageEngine: "wiredTiger", dbName: "aspirasi" },
    });
    uri = server.getUri("aspirasi");
    stopEmbedded = () => server.stop({ doCleanup: false, force: false });
    logger.warn({ dbPath }, "MONGODB_URI is not set: using the embedded MongoDB (for trying the bot out; set MONGODB_URI for real use)");
  }
  mongoose.set("strictQuery", true);
  // A database that is away is noticed within 5 s (not mongoose's 10 s of buffering): a webhook
  // update can then be handed back to Telegram before its answer is due (main.ts), a polled one retried.
  mongoose.set("bufferTimeoutMS", DB_WAIT_MS);
  await mongoose.connect(uri, CONNECT_OPTIONS);
  await syncIndexes();
  logger.info({ embedded: Boolean(stopEmbedded) }, "connected to MongoDB");
  return {
    uri,
    embedded: Boolean(stopEmbedded),
    async close() {
      await mongoose.disconnect();
      await stopEmbedded?.();
    },
    async reconnect() {
      await mongoose.disconnect().catch(() => undefined);
      await mongoose.connect(uri, CONNECT_OPTIONS);
    },
  };
}

/** Builds the indexes every model declares (idempotent). */
export async function syncIndexes(): Promise<void> {
  await Promise.all(Object.values(mongoose.models).map((m) => m.createIndexes()));
}
