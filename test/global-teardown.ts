export default async function globalTeardown() {
  const server = (globalThis as { __MONGOD__?: { stop(): Promise<unknown> } }).__MONGOD__;
  if (server) await server.stop();
}
