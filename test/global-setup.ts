/**
 * Once per `npm test`: the database server for every test file. MONGODB_TEST_URI when set (CI passes
 * FerretDB or a real MongoDB), otherwise mongodb-memory-server. Prints which server answered.
 */
import mongoose from "mongoose";

export default async function globalSetup() {
  let uri = process.env.MONGODB_TEST_URI;
  if (!uri) {
    const { MongoMemoryServer } = await import("mongodb-memory-server");
    const server = await MongoMemoryServer.create();
    (globalThis as { __MONGOD__?: unknown }).__MONGOD__ = server;
    uri = server.getUri();
    process.env.MONGODB_TEST_URI = uri;
  }
  const conn = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  const info = await conn.db!.admin().command({ buildInfo: 1 });
  const ferret = info.ferretdbVersion ? ` (FerretDB ${info.ferretdbVersion})` : "";
  process.stdout.write(`\n[test database] ${uri.replace(/\/\/[^@]*@/, "//***@")} — server version ${info.version}${ferret}\n`);
  await conn.close();
}
