/**
 * Fault: the real bot process (src/main.ts) is killed with SIGKILL in the middle of a Kendala
 * produksi dialogue and started again. The dialogue goes on with the member's next answer, nothing
 * saved is lost, and the alert that was being sent to the officers' group when the process died is
 * delivered by the next process. Against the test database and a fake Bot API server.
 */
import { useTestDatabase } from "./helpers/db";
import { FakeBotApiServer } from "./helpers/fake-bot-api-server";
import { startBot, type BotProcess } from "./helpers/bot-process";
import { registeredMember, GOOD, EXPECTED, codeIn } from "./helpers/requests";
import { Request } from "../src/db/models/request";
import { Outbox } from "../src/db/models/outbox";
import { tFor } from "../src/i18n";

const db = useTestDatabase();
const t = tFor("id");
const GROUP = -1001234567890;
const api = new FakeBotApiServer();
let bot: BotProcess | undefined;

beforeAll(async () => {
  await api.start();
  api.isProcessed = (id) => bot?.handled(id) ?? false;
});
afterEach(async () => {
  await bot?.ensureStopped();
  bot = undefined;
});
afterAll(async () => {
  await api.stop();
});

const start = () => startBot({ apiRoot: api.url, db: db.name, env: { OFFICER_GROUP_ID: String(GROUP) } });

async function waitUntil(ok: () => Promise<boolean>, ms: number) {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function kill(b: BotProcess) {
  b.kill("SIGKILL");
  expect((await b.exited).signal).toBe("SIGKILL");
}

/** A registered member who has answered every question of Kendala produksi up to the summary. */
async function toSummary(id: number, killAfterPhotos: boolean) {
  const u = api.user(id);
  await registeredMember(u.id);
  bot ??= await start();
  await u.send(t("request.menu.produksi"));
  await GOOD.produksi.category(u, t);
  await GOOD.produksi.product(u, t);
  await GOOD.produksi.photos(u, t);
  if (killAfterPhotos) {
    const descriptionQuestion = u.lastText();
    await kill(bot);
    bot = await start();
    // The next answer is taken as the answer to the question the member saw last.
    await GOOD.produksi.description(u, t);
    expect(u.lastText()).not.toBe(descriptionQuestion);
  } else await GOOD.produksi.description(u, t);
  await GOOD.produksi.urgency(u, t);
  return u;
}

async function expectSaved(code: string, memberId: number) {
  const saved = await Request.findOne({ code }).lean();
  expect(saved).toMatchObject({ type: "produksi", memberTelegramId: memberId, answers: EXPECTED.produksi.answers });
  expect(saved!.attachments).toMatchObject(EXPECTED.produksi.attachments);
  expect(await Request.countDocuments({ memberTelegramId: memberId })).toBe(1);
}

const cardFor = (code: string) => (c: { payload: Record<string, unknown> }) => Number(c.payload.chat_id) === GROUP && String(c.payload.text).includes(code);

test("SIGKILL mid-dialogue, then while the alert waits for a retry: the dialogue continues, the request stays, the alert arrives", async () => {
  const u = await toSummary(71001, true);
  // Telegram fails the group's message once; the alert then waits for its retry when the bot dies.
  api.telegram.fail("sendMessage", { kind: "http", error_code: 500, description: "Internal Server Error" }, 1, GROUP);
  await u.press(t("request.send"));
  const code = codeIn(u.lastText());
  // Kill once the failure is recorded and the item's lease given back (it waits for its retry).
  await waitUntil(async () => (await Outbox.countDocuments({ kind: "alert", attempts: { $gte: 1 }, status: "pending" })) > 0, 10_000);
  await new Promise((r) => setTimeout(r, 300));
  await kill(bot!);
  await expectSaved(code, u.id);
  expect(api.telegram.callsOf("sendMessage", GROUP).filter(cardFor(code))).toHaveLength(0);
  expect(await Outbox.countDocuments({ status: "pending" })).toBeGreaterThan(0);

  bot = await start();
  await api.waitForCall("sendMessage", cardFor(code), 1, 30_000);
  await expectSaved(code, u.id);
  // Everything else about it goes out too (the photo under the card), and the bot stops cleanly.
  await waitUntil(async () => (await Outbox.countDocuments({ status: "pending" })) === 0, 30_000);
  bot.kill("SIGTERM");
  expect((await bot.exited).code).toBe(0);
}, 90_000);

test("SIGKILL in the middle of sending the alert: the next process sends it once the dead one's lease expires", async () => {
  const u = await toSummary(71002, false);
  // The alert to the officers' group hangs (Telegram slow) while the member submits: kill then.
  const hold = api.hold((method, p) => method === "sendMessage" && Number(p.chat_id) === GROUP);
  await u.press(t("request.send"));
  const code = codeIn(u.lastText());
  for (let i = 0; hold.held === 0 && i < 400; i++) await new Promise((r) => setTimeout(r, 25));
  expect(hold.held).toBe(1);
  await kill(bot!);
  hold.release();
  await expectSaved(code, u.id);
  expect(api.telegram.callsOf("sendMessage", GROUP).filter(cardFor(code))).toHaveLength(0);

  bot = await start();
  // The outbox lease of the killed process (src/domain/outbox.ts: 60 s time buckets) runs out
  // within two minutes; only then may another process send the item.
  const [card] = await api.waitForCall("sendMessage", cardFor(code), 1, 150_000);
  expect(api.telegram.callsOf("sendMessage", GROUP).filter(cardFor(code))).toEqual([card]);
}, 200_000);
