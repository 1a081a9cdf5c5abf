/**
 * Fault: webhook mode of the real bot process. The webhook is set with the secret; a request
 * without the secret (or with a wrong one) gets 401, is logged and processed in no way; the same
 * update posted twice has one effect; /healthz answers 503 while the database is unreachable and
 * 200 again when it is back; SIGTERM lets a slow update finish and refuses new ones (503).
 */
import { useTestDatabase } from "./helpers/db";
import { FakeBotApiServer, getJson, postUpdate } from "./helpers/fake-bot-api-server";
import { startBot, freePort, type BotProcess } from "./helpers/bot-process";
import { DbProxy, testUriParts } from "./helpers/db-proxy";
import { ProcessedUpdate } from "../src/db/models/processed-update";
import { ConversationState } from "../src/db/models/conversation-state";
import { tFor } from "../src/i18n";

const db = useTestDatabase();
const t = tFor("id");
const SECRET = "s3cret_Webhook-Token";
const PATH = "/telegram/webhook";
const api = new FakeBotApiServer();
let bot: BotProcess | undefined;
let proxy: DbProxy;

const TEST_URI = testUriParts();

function startUpdate(updateId: number, userId: number) {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: "private", first_name: "Wayan" },
      from: { id: userId, is_bot: false, first_name: "Wayan", language_code: "id" },
      text: "/start",
      entities: [{ type: "bot_command", offset: 0, length: 6 }],
    },
  };
}

beforeAll(async () => {
  await api.start();
});
afterEach(async () => {
  await bot?.ensureStopped();
  await proxy?.down();
});
afterAll(async () => {
  await api.stop();
});

function startWebhookBot(port: number) {
  return startBot({ apiRoot: api.url, db: db.name, env: { WEBHOOK_URL: `https://localhost${PATH}`, WEBHOOK_SECRET: SECRET, PORT: String(port) } });
}

test("the secret decides: 401 and nothing processed without it; the same update twice has one effect", async () => {
  const port = await freePort();
  bot = await startWebhookBot(port);
  const [setWebhook] = api.telegram.callsOf("setWebhook");
  expect(setWebhook.payload).toMatchObject({ url: `https://localhost${PATH}`, secret_token: SECRET });
  expect(api.telegram.callsOf("getUpdates")).toHaveLength(0);

  const sendsTo = (chat: number) => api.telegram.callsOf("sendMessage", chat).length;
  expect(await postUpdate(port, PATH, startUpdate(500, 73001))).toBe(401);
  expect(await postUpdate(port, PATH, startUpdate(501, 73001), "wrong-secret")).toBe(401);
  expect(await postUpdate(port, PATH, startUpdate(502, 73001), `${SECRET}x`)).toBe(401);
  await new Promise((r) => setTimeout(r, 300));
  expect(sendsTo(73001)).toBe(0);
  expect(await ProcessedUpdate.countDocuments()).toBe(0);
  const refused = bot.logs.filter((l) => l.msg === "webhook request refused: wrong or missing secret token");
  expect(refused).toHaveLength(3);
  expect(JSON.stringify(refused)).not.toContain(SECRET);

  // With the secret: processed before the answer; a second delivery changes nothing.
  expect(await postUpdate(port, PATH, startUpdate(503, 73002), SECRET)).toBe(200);
  const afterFirst = api.telegram.textsTo(73002);
  expect(afterFirst.at(-1)).toBe(t("onboarding.consent"));
  expect(await postUpdate(port, PATH, startUpdate(503, 73002), SECRET)).toBe(200);
  expect(await Promise.all([postUpdate(port, PATH, startUpdate(503, 73002), SECRET), postUpdate(port, PATH, startUpdate(503, 73002), SECRET)])).toEqual([200, 200]);
  await new Promise((r) => setTimeout(r, 300));
  expect(api.telegram.textsTo(73002)).toEqual(afterFirst);
  // Recorded with the registration dialogue it opened (the write its state needed anyway).
  expect((await ConversationState.findById("73002").lean())?.updates).toEqual([503]);

  // Not the webhook path, not a POST, not an update.
  expect((await getJson(port, "/elsewhere")).status).toBe(404);
  expect((await getJson(port, PATH)).status).toBe(405);
  expect(await postUpdate(port, PATH, { hello: "world" }, SECRET)).toBe(400);
}, 60_000);

test("/healthz: 200 with the database, 503 while it is unreachable, 200 again when it is back", async () => {
  if (!TEST_URI) {
    process.stdout.write("\n[healthz] skipped the database-down part: MONGODB_TEST_URI is not a single host:port\n");
    return;
  }
  proxy = new DbProxy(TEST_URI[1], Number(TEST_URI[2]));
  const dbPort = await proxy.up();
  const port = await freePort();
  const uri = `mongodb://127.0.0.1:${dbPort}/${db.name}${TEST_URI[3] ?? ""}`;
  bot = await startBot({ apiRoot: api.url, db: db.name, env: { MONGODB_URI: uri, WEBHOOK_URL: `https://localhost${PATH}`, WEBHOOK_SECRET: SECRET, PORT: String(port) } });
  expect(await getJson(port, "/healthz")).toEqual({ status: 200, body: { status: "ok", database: "up" } });

  await proxy.down();
  const started = Date.now();
  expect(await getJson(port, "/healthz")).toEqual({ status: 503, body: { status: "unavailable", database: "down" } });
  expect(Date.now() - started).toBeLessThan(5000);

  await proxy.up(dbPort);
  // The driver finds the server again on its own schedule (slower on a loaded machine): up to 60 s.
  const until = Date.now() + 60_000;
  let health = await getJson(port, "/healthz");
  while (health.status !== 200 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    health = await getJson(port, "/healthz");
  }
  expect(health).toEqual({ status: 200, body: { status: "ok", database: "up" } });
}, 90_000);

test("SIGTERM in webhook mode: the update in progress finishes, a new one gets 503 (Telegram re-sends it), exit 0", async () => {
  const port = await freePort();
  bot = await startWebhookBot(port);
  const slow = api.hold((method, p) => method === "sendMessage" && Number(p.chat_id) === 73003);
  const inProgress = postUpdate(port, PATH, startUpdate(600, 73003), SECRET);
  for (let i = 0; slow.held === 0 && i < 400; i++) await new Promise((r) => setTimeout(r, 10));
  const signalAt = Date.now();
  bot.kill("SIGTERM");
  await bot.waitForLog("shutting down");
  expect(await postUpdate(port, PATH, startUpdate(601, 73004), SECRET)).toBe(503);
  setTimeout(() => slow.release(), 500);
  expect(await inProgress).toBe(200);
  const exit = await bot.exited;
  expect(exit.code).toBe(0);
  expect(exit.at - signalAt).toBeLessThan(10_000);
  expect(api.telegram.textsTo(73003).at(-1)).toBe(t("onboarding.consent"));
  expect(api.telegram.textsTo(73004)).toEqual([]);
  expect(await ProcessedUpdate.countDocuments({ _id: 601 })).toBe(0);
}, 60_000);

test("the database away: the webhook answers 503 (Telegram sends it again), and the update sent again is processed once", async () => {
  if (!TEST_URI) {
    process.stdout.write("\n[webhook 503] skipped: MONGODB_TEST_URI is not a single host:port\n");
    return;
  }
  proxy = new DbProxy(TEST_URI[1], Number(TEST_URI[2]));
  const dbPort = await proxy.up();
  const port = await freePort();
  const uri = `mongodb://127.0.0.1:${dbPort}/${db.name}${TEST_URI[3] ?? ""}`;
  bot = await startBot({ apiRoot: api.url, db: db.name, env: { MONGODB_URI: uri, WEBHOOK_URL: `https://localhost${PATH}`, WEBHOOK_SECRET: SECRET, PORT: String(port) } });
  expect(await postUpdate(port, PATH, startUpdate(700, 73101), SECRET)).toBe(200);
  expect(api.telegram.textsTo(73101).at(-1)).toBe(t("onboarding.consent"));

  await proxy.down();
  const started = Date.now();
  expect(await postUpdate(port, PATH, startUpdate(701, 73102), SECRET)).toBe(503);
  expect(Date.now() - started).toBeLessThan(8_000);
  expect(api.telegram.textsTo(73102)).toEqual([]);

  await proxy.up(dbPort);
  // Telegram sends it again until it is taken (the driver finds the server again within a minute).
  const until = Date.now() + 60_000;
  let status = await postUpdate(port, PATH, startUpdate(701, 73102), SECRET);
  while (status !== 200 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 1_000));
    status = await postUpdate(port, PATH, startUpdate(701, 73102), SECRET);
  }
  expect(status).toBe(200);
  // Once more, as a late duplicate: no second effect.
  expect(await postUpdate(port, PATH, startUpdate(701, 73102), SECRET)).toBe(200);
  await new Promise((r) => setTimeout(r, 300));
  expect(api.telegram.textsTo(73102).filter((x) => x === t("onboarding.consent"))).toHaveLength(1);
  expect((await ConversationState.findById("73102").lean())?.updates).toEqual([701]);
  expect(bot.logs.some((l) => l.msg === "update not processed (database unavailable): Telegram is asked to send it again")).toBe(true);
}, 120_000);
