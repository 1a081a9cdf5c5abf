/**
 * The WhatsApp channel in the real bot process (src/main.ts, polling mode with PORT): /whatsapp on
 * the same server as /healthz, a forged signature stores nothing, a member linked by the verified
 * number files a request through the process, and while the database is unreachable a webhook is
 * refused with 503 (Meta sends it again) and handled once it is back — nothing acknowledged and lost.
 */
import { useTestDatabase } from "./helpers/db";
import { FakeBotApiServer } from "./helpers/fake-bot-api-server";
import { FakeGraphApi } from "./helpers/fake-graph-api";
import { startBot, freePort, type BotProcess } from "./helpers/bot-process";
import { DbProxy, testUriParts } from "./helpers/db-proxy";
import { registeredMember } from "./helpers/requests";
import { whatsappProcessEnv } from "./helpers/whatsapp";
import { Request } from "../src/db/models/request";
import { WhatsAppInbound } from "../src/db/models/whatsapp-inbound";

const db = useTestDatabase();
const TOKEN = "EAAG" + "p".repeat(40);
const PHONE_ID = "106540352242922";
const SECRET = "0123456789abcdef0123";
const NUMBER = "6281234567890";
const GROUP = -1001777000333;
const api = new FakeBotApiServer();
const graph = new FakeGraphApi(TOKEN, PHONE_ID);
let bot: BotProcess | undefined;
let proxy: DbProxy | undefined;

beforeAll(async () => {
  await api.start();
  await graph.start();
});
afterEach(async () => {
  await bot?.ensureStopped();
  await proxy?.down();
});
afterAll(async () => {
  await api.stop();
  await graph.stop();
});

async function start(env: Record<string, string> = {}) {
  const port = await freePort();
  bot = await startBot({
    apiRoot: api.url,
    db: db.name,
    env: { ...whatsappProcessEnv({ token: TOKEN, phoneNumberId: PHONE_ID, appSecret: SECRET, apiRoot: graph.url, port }), ...env },
  });
  return `http://127.0.0.1:${port}/whatsapp`;
}

async function until(check: () => Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

test("the process takes WhatsApp at /whatsapp: forged signatures store nothing, a linked member files a request", async () => {
  await registeredMember(8201);
  const url = await start({ OFFICER_GROUP_ID: String(GROUP) });
  const hello = graph.text(NUMBER, "halo");
  expect(await FakeGraphApi.post(url, FakeGraphApi.webhook([hello]), "wrong-secret-000000")).toBe(403);
  expect(await FakeGraphApi.post(url, FakeGraphApi.webhook([hello]), SECRET, { signature: null })).toBe(401);
  expect(await WhatsAppInbound.countDocuments()).toBe(0);
  const say = async (m: Record<string, unknown>) => {
    graph.inbound(NUMBER);
    const before = graph.sent.length;
    expect(await FakeGraphApi.post(url, FakeGraphApi.webhook([m]), SECRET)).toBe(200);
    expect(await until(async () => graph.sent.length > before && (await WhatsAppInbound.countDocuments({ status: { $ne: "done" } })) === 0)).toBe(true);
  };
  await say(hello);
  await say(graph.listReply(NUMBER, "menu:pelatihan"));
  await say(graph.text(NUMBER, "1"));
  await say(graph.text(NUMBER, "1"));
  await say(graph.text(NUMBER, "lewati"));
  await say(graph.buttonReply(NUMBER, "send"));
  const [r] = await Request.find().lean();
  expect(r).toMatchObject({ type: "pelatihan", memberTelegramId: 8201 });
  expect(graph.textsTo(NUMBER).at(-1)).toContain(r.code);
  // The officers' card went to Telegram as for any request (the dispatcher in the same process).
  expect(
    await until(async () => api.telegram.calls.some((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === GROUP && String(c.payload.text).includes(r.code))),
  ).toBe(true);
}, 60_000);

test("the database unreachable: the webhook gets 503 and nothing is lost; sent again once it is back, it is handled", async () => {
  const parts = testUriParts();
  if (!parts) return void process.stdout.write("\n[whatsapp-process] skipped: MONGODB_TEST_URI is not a single host:port\n");
  await registeredMember(8202);
  proxy = new DbProxy(parts[1], Number(parts[2]));
  const dbPort = await proxy.up();
  const url = await start({ MONGODB_URI: `mongodb://127.0.0.1:${dbPort}/${db.name}${parts[3] ?? ""}` });
  await proxy.down();
  const hello = graph.text(NUMBER, "halo");
  graph.inbound(NUMBER);
  const body = FakeGraphApi.webhook([hello]);
  expect(await FakeGraphApi.post(url, body, SECRET)).toBe(503);
  await proxy.up(dbPort);
  // Meta retries until a 2xx.
  expect(await until(async () => (await FakeGraphApi.post(url, body, SECRET)) === 200, 60_000)).toBe(true);
  expect(await until(async () => graph.textsTo(NUMBER).length > 0, 30_000)).toBe(true);
  expect(await WhatsAppInbound.countDocuments({ _id: String(hello.id) })).toBe(1);
}, 120_000);
