import mongoose from "mongoose";
import { syncIndexes } from "../../src/db";
import { invalidateReadCaches } from "../../src/lib/read-cache";

/**
 * Each test file gets its own database on the test server (MONGODB_TEST_URI, set by global-setup),
 * dropped afterwards. Call at the top of a describe block or file. `monitorCommands`: the client
 * emits 'commandStarted' for every command (to count round trips: test/helpers/commands.ts).
 */
export function useTestDatabase(opts: { monitorCommands?: boolean } = {}): { name: string } {
  const handle = { name: "" };
  beforeAll(async () => {
    const uri = process.env.MONGODB_TEST_URI;
    if (!uri) throw new Error("MONGODB_TEST_URI is not set (global-setup should have set it)");
    handle.name = `aspirasi_test_${process.env.JEST_WORKER_ID ?? "0"}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
    await mongoose.connect(uri, { dbName: handle.name, serverSelectionTimeoutMS: 10_000, ...(opts.monitorCommands ? { monitorCommands: true } : {}) });
    await syncIndexes();
  });
  afterAll(async () => {
    if (mongoose.connection.readyState === 1) {
      await mongoose.connection.dropDatabase();
      await mongoose.disconnect();
    }
  });
  return handle;
}

/** Empties every collection (keeps indexes). */
export async function clearDatabase(): Promise<void> {
  const collections = await mongoose.connection.db!.collections();
  await Promise.all(collections.map((c) => c.deleteMany({})));
  // The raw deletes bypass mongoose, so the bot's read caches cannot see them.
  invalidateReadCaches();
}
