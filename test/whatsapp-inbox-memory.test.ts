/**
 * The WhatsApp inbox's way through memory (whatsapp/worker.ts `store`), through the real HTTP
 * server against the test database: alone on the database a new message is stored as taken by this
 * process and handled at once without the loops, its done mark written with the next batch; while
 * another process serves the database messages go through the store, and a sender whose message
 * waits there (or failed and waits to be tried again) keeps their order when the next one comes.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { silentLogger } from "./helpers/harness";
import { FakeGraphApi } from "./helpers/fake-graph-api";
import { createHttpServer, type HttpServer } from "../src/server/http-server";
import { whatsappEndpoint, WHATSAPP_PATH } from "../src/whatsapp/endpoint";
import { startInboundWorker, type InboundHandler, type InboundWorker } from "../src/whatsapp/worker";
import { INBOUND_LEASE_MS } from "../src/whatsapp/inbound";
import { WhatsAppInbound } from "../src/db/models/whatsapp-inbound";

useTestDatabase();

const SECRET = "0123456789abcdef0123";
const graph = new FakeGraphApi("EAAG" + "m".repeat(40), "106540352242922");
let server: HttpServer;
let url = "";
let worker: InboundWorker | undefined;
let shared = false;

beforeAll(async () => {
  server = createHttpServer({
    port: 0,
    host: "127.0.0.1",
    logger: silentLogger,
    healthy: async () => true,
    endpoints: [
      whatsappEndpoint({ appSecret: SECRET, verifyToken: "verify-me-1" }, { logger: silentLogger, clock: () => new Date(), inbox: { store: (e, now) => worker!.store(e, now) } }),
    ],
  });
  url = `http://127.0.0.1:${(await server.listen()).port}${WHATSAPP_PATH}`;
});
afterAll(() => server.close());
beforeEach(async () => {
  await clearDatabase();
  shared = false;
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});

const textOfMessage = (m: Parameters<InboundHandler>[0]) => (m.content.type === "text" ? m.content.text : "?");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function start(handle: InboundHandler, opts: { idleMs?: number; retryAfterMs?: number } = {}): Promise<InboundWorker> {
  worker = startInboundWorker(handle, { logger: silentLogger, clock: () => new Date(), shared: () => shared, ...opts });
  // Its first look at the store (nothing waits from before): from then on it takes messages from memory.
  await worker.drained();
  return worker;
}
const send = async (from: string, text: string) => {
  const message = graph.text(from, text);
  expect(await FakeGraphApi.post(url, FakeGraphApi.webhook([message]), SECRET)).toBe(200);
  return String(message.id);
};

test("alone on the database: a message is stored as taken, handled at once without the loops, and marked done with its batch", async () => {
  const handled: string[] = [];
  // The loops look only once a minute: what is handled within the test came from memory.
  const w = await start(async (m) => void handled.push(textOfMessage(m)), { idleMs: 60_000 });
  const t0 = Date.now();
  const id = await send("628501", "halo");
  const stored = await WhatsAppInbound.findById(id).lean();
  expect(stored).toMatchObject({ status: "handling", attempts: 1 });
  expect(stored!.leaseUntil!.getTime()).toBeGreaterThanOrEqual(t0 + INBOUND_LEASE_MS - 1_000);
  for (let i = 0; i < 40 && handled.length === 0; i++) await sleep(25);
  expect(handled).toEqual(["halo"]);
  // Not yet marked: the lease keeps the message from being taken again meanwhile.
  expect(await WhatsAppInbound.findById(id).lean()).toMatchObject({ status: "handling" });
  await w.flush();
  expect(await WhatsAppInbound.findById(id).lean()).toMatchObject({ status: "done", attempts: 1 });
});

test("while another process serves the database messages go through the store; back alone, they keep going there (in order) until it is seen empty", async () => {
  const handled: string[] = [];
  const w = await start(async (m) => {
    if (textOfMessage(m) === "1") await sleep(150);
    handled.push(`${m.from}:${textOfMessage(m)}`);
  });
  shared = true;
  const first = await send("628502", "1");
  expect(await WhatsAppInbound.findById(first).lean()).toMatchObject({ status: "new" });
  shared = false;
  // Still waiting in the store (or being handled from it): the sender's next message goes there too, behind it.
  const second = await send("628502", "2");
  expect(await WhatsAppInbound.findById(second).lean()).toMatchObject({ status: "new" });
  await w.drained();
  expect(handled).toEqual(["628502:1", "628502:2"]);
  // The store was seen empty: messages go through memory again.
  const later = await send("628503", "a");
  expect(await WhatsAppInbound.findById(later).lean()).toMatchObject({ status: "handling" });
  await w.drained();
  expect(handled).toEqual(["628502:1", "628502:2", "628503:a"]);
  expect(await WhatsAppInbound.countDocuments({ status: "done" })).toBe(3);
});

test("a message from memory whose handling fails is tried again from the store, and the sender's next message waits for it", async () => {
  const handled: string[] = [];
  let failures = 0;
  const w = await start(
    async (m) => {
      if (textOfMessage(m) === "rusak" && failures++ === 0) throw new Error("the database went away");
      handled.push(textOfMessage(m));
    },
    { idleMs: 20, retryAfterMs: 200 },
  );
  const broken = await send("628504", "rusak");
  for (let i = 0; i < 50 && !(await WhatsAppInbound.findById(broken).lean())?.lastError; i++) await sleep(10);
  expect(await WhatsAppInbound.findById(broken).lean()).toMatchObject({ status: "handling", lastError: expect.stringContaining("went away") });
  const next = await send("628504", "baik");
  expect(await WhatsAppInbound.findById(next).lean()).toMatchObject({ status: "new" });
  for (let i = 0; i < 100 && handled.length < 2; i++) await sleep(20);
  await w.drained();
  expect(handled).toEqual(["rusak", "baik"]);
  expect(await WhatsAppInbound.findById(broken).lean()).toMatchObject({ status: "done", attempts: 2 });
});
