/**
 * The WhatsApp webhook through the real HTTP server (server/http-server.ts + whatsapp/endpoint.ts)
 * into the durable inbox (whatsapp/inbound.ts) and out to a handler (whatsapp/worker.ts), against
 * the test database: a missing or wrong signature stores nothing, a webhook delivered twice is
 * stored and handled once, one sender's messages are handled in order, a message whose handler died
 * is handled again after its lease, and Meta's subscription check.
 */
import { createHmac } from "node:crypto";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { silentLogger } from "./helpers/harness";
import { createHttpServer, type HttpServer } from "../src/server/http-server";
import { whatsappEndpoint, WHATSAPP_PATH, SIGNATURE_HEADER } from "../src/whatsapp/endpoint";
import { startInboundWorker, type InboundWorker } from "../src/whatsapp/worker";
import { takeNextInbound, markInboundDone, purgeHandledInbound, type InboundMessage } from "../src/whatsapp/inbound";
import { WhatsAppInbound } from "../src/db/models/whatsapp-inbound";
import { WhatsAppStatus } from "../src/db/models/whatsapp-status";

useTestDatabase();

const SECRET = "0123456789abcdef0123";
const VERIFY = "verify-me-1";
let server: HttpServer;
let base = "";
let worker: InboundWorker | undefined;
const handled: InboundMessage[] = [];

beforeAll(async () => {
  server = createHttpServer({
    port: 0,
    host: "127.0.0.1",
    logger: silentLogger,
    healthy: async () => true,
    endpoints: [whatsappEndpoint({ appSecret: SECRET, verifyToken: VERIFY }, { logger: silentLogger, clock: () => new Date(), onStored: () => worker?.wake() })],
  });
  const { port } = await server.listen();
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => server.close());
beforeEach(async () => {
  await clearDatabase();
  handled.length = 0;
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});

let seq = 0;
function textMessage(from: string, text: string, extra: Record<string, unknown> = {}) {
  seq++;
  return { from, id: `wamid.TEST${seq}`, timestamp: String(1_796_000_000 + seq), type: "text", text: { body: text }, ...extra };
}
function webhook(messages: Record<string, unknown>[], statuses: Record<string, unknown>[] = []) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "WABA1",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "6281100000000", phone_number_id: "106540352242922" },
              contacts: messages.map((m) => ({ profile: { name: "Bu Ketut" }, wa_id: m.from })),
              messages,
              statuses,
            },
          },
        ],
      },
    ],
  };
}
const sign = (raw: string, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;
async function post(body: unknown, signature?: string | null) {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signature !== null) headers[SIGNATURE_HEADER] = signature ?? sign(raw);
  return fetch(`${base}${WHATSAPP_PATH}`, { method: "POST", headers, body: raw });
}

test("Meta's subscription check: the challenge with the right verify token, 403 otherwise", async () => {
  const ok = await fetch(`${base}${WHATSAPP_PATH}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`);
  expect(ok.status).toBe(200);
  expect(await ok.text()).toBe("1158201444");
  const wrong = await fetch(`${base}${WHATSAPP_PATH}?hub.mode=subscribe&hub.verify_token=nope-nope&hub.challenge=1158201444`);
  expect(wrong.status).toBe(403);
  expect(await wrong.text()).not.toContain("1158201444");
});

test("a missing signature (401) or a wrong one (403) stores nothing; a valid one is stored before the 200", async () => {
  const body = webhook([textMessage("6281234567890", "halo")]);
  expect((await post(body, null)).status).toBe(401);
  expect((await post(body, sign(JSON.stringify(body), "another-secret-0000"))).status).toBe(403);
  // The right signature over other bytes (a body altered on the way).
  expect((await post({ ...body, object: "whatsapp_business_account " }, sign(JSON.stringify(body)))).status).toBe(403);
  expect(await WhatsAppInbound.countDocuments()).toBe(0);
  const res = await post(body);
  expect(res.status).toBe(200);
  const doc = await WhatsAppInbound.findOne().lean();
  expect(doc).toMatchObject({ from: "6281234567890", name: "Bu Ketut", status: "new" });
  expect(JSON.parse(doc!.content)).toEqual({ type: "text", text: "halo" });
});

test("a webhook delivered twice (Meta retries) is stored once and handled once; statuses are recorded once", async () => {
  const message = textMessage("6281234567890", "kemasan");
  const status = {
    id: "wamid.OUT1",
    status: "failed",
    timestamp: "1796000100",
    recipient_id: "6281234567890",
    errors: [{ code: 131026, title: "Message undeliverable", error_data: { details: "Receiver is incapable of receiving this message" } }],
  };
  worker = startInboundWorker(async (m) => void handled.push(m), { logger: silentLogger, clock: () => new Date(), idleMs: 50 });
  for (let i = 0; i < 3; i++) expect((await post(webhook([message], [status]))).status).toBe(200);
  await worker.drained();
  expect(handled.map((m) => m.wamid)).toEqual([message.id]);
  expect(await WhatsAppInbound.findById(message.id).lean()).toMatchObject({ status: "done", attempts: 1 });
  expect(await WhatsAppStatus.find().lean()).toEqual([
    expect.objectContaining({
      wamid: "wamid.OUT1",
      status: "failed",
      failures: [{ code: 131026, title: "Message undeliverable", details: "Receiver is incapable of receiving this message" }],
    }),
  ]);
});

test("one sender's messages are handled in the order sent, also when they come in separate webhooks", async () => {
  const order: string[] = [];
  worker = startInboundWorker(
    async (m) => {
      await new Promise((r) => setTimeout(r, 20));
      order.push(`${m.from}:${m.content.type === "text" ? m.content.text : "?"}`);
    },
    { logger: silentLogger, clock: () => new Date(), idleMs: 50 },
  );
  await post(webhook([textMessage("628111", "1"), textMessage("628222", "a")]));
  await post(webhook([textMessage("628111", "2")]));
  await post(webhook([textMessage("628111", "3"), textMessage("628222", "b")]));
  await worker.drained();
  expect(order.filter((x) => x.startsWith("628111"))).toEqual(["628111:1", "628111:2", "628111:3"]);
  expect(order.filter((x) => x.startsWith("628222"))).toEqual(["628222:a", "628222:b"]);
});

test("a sender with a business-scoped user id and no number is stored and handled by that id", async () => {
  const m = { ...textMessage("", "halo"), from: undefined, from_user_id: "US.13491208655302741918" };
  const body = webhook([m]);
  body.entry[0].changes[0].value.contacts = [{ profile: { name: "Made" }, wa_id: undefined, user_id: "US.13491208655302741918" } as never];
  expect((await post(body)).status).toBe(200);
  const taken = await takeNextInbound(new Date());
  expect(taken).toMatchObject({ userId: "US.13491208655302741918", name: "Made" });
  expect(taken?.from).toBeUndefined();
});

test("a message whose handler died (its lease ran out) is handled again; the next of that sender waits for it", async () => {
  await post(webhook([textMessage("628333", "pertama"), textMessage("628333", "kedua")]));
  const lease = 300;
  const first = await takeNextInbound(new Date(), lease);
  expect(first?.content).toEqual({ type: "text", text: "pertama" });
  // The process died here (no release). Another process finds nothing of this sender while the lease holds…
  expect(await takeNextInbound(new Date(), lease)).toBeNull();
  // …and the same message again once it ran out.
  await new Promise((r) => setTimeout(r, 2.5 * lease));
  const again = await takeNextInbound(new Date(), lease);
  expect(again).toMatchObject({ wamid: first!.wamid, attempts: 2 });
  await markInboundDone(again!.wamid, new Date());
  await again!.release();
  expect((await takeNextInbound(new Date(), lease))?.content).toEqual({ type: "text", text: "kedua" });
});

test("a handler that fails is tried again, then set aside after five attempts; the sender's next message follows", async () => {
  let calls = 0;
  worker = startInboundWorker(
    async (m) => {
      if (m.content.type === "text" && m.content.text === "rusak") {
        calls++;
        throw new Error("boom");
      }
      handled.push(m);
    },
    { logger: silentLogger, clock: () => new Date(), idleMs: 20, retryAfterMs: 30 },
  );
  await post(webhook([textMessage("628444", "rusak"), textMessage("628444", "baik")]));
  for (let i = 0; i < 100 && handled.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(calls).toBe(5);
  expect(await WhatsAppInbound.countDocuments({ status: "failed" })).toBe(1);
  expect(handled.map((m) => (m.content.type === "text" ? m.content.text : ""))).toEqual(["baik"]);
});

test("handled messages are deleted after a week, those set aside after 30 days; waiting ones stay", async () => {
  const now = new Date("2026-12-07T02:00:00Z");
  const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);
  const doc = (id: string, status: string, receivedAt: Date) => ({ _id: id, sender: "628555", at: receivedAt, receivedAt, content: "{}", status });
  await WhatsAppInbound.insertMany([
    doc("old-done", "done", daysAgo(8)),
    doc("recent-done", "done", daysAgo(6)),
    doc("old-failed", "failed", daysAgo(31)),
    doc("failed", "failed", daysAgo(10)),
    doc("waiting", "new", daysAgo(9)),
    doc("handling", "handling", daysAgo(9)),
  ]);
  expect(await purgeHandledInbound(now)).toBe(2);
  expect((await WhatsAppInbound.find({}, { _id: 1 }).lean()).map((d) => d._id).sort()).toEqual(["failed", "handling", "recent-done", "waiting"]);
});
