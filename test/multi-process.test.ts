/**
 * Two real bot processes on one database without MULTI_PROCESS (issue 23.4): each notices the other
 * by its heartbeat and reads dialogue states fresh by itself, so a dialogue whose answers alternate
 * between the processes is never thrown back to an earlier question. Webhook mode behind a fake
 * Telegram that posts each update to the other process in turn.
 */
import { useTestDatabase } from "./helpers/db";
import { FakeBotApiServer } from "./helpers/fake-bot-api-server";
import { seeded } from "./helpers/random";
import { startBot, freePort, type BotProcess } from "./helpers/bot-process";
import { registeredMember, GOOD, EXPECTED, codeIn } from "./helpers/requests";
import { Request } from "../src/db/models/request";
import { ProcessBeat } from "../src/db/models/process-beat";
import { tFor } from "../src/i18n";

const db = useTestDatabase();
const t = tFor("id");
const GROUP = -1001234567321;
const PATH = "/telegram/two";
const SECRET = "two_Secret-1";
const api = new FakeBotApiServer();
const bots: BotProcess[] = [];

beforeAll(async () => {
  await api.start();
  api.isProcessed = (id) => bots.some((b) => b.handled(id));
});
afterAll(async () => {
  await Promise.all(bots.map((b) => b.ensureStopped()));
  await api.stop();
});

test("without MULTI_PROCESS, two processes see each other and a dialogue alternating between them goes forward", async () => {
  const targets = [];
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    bots.push(
      await startBot({
        apiRoot: api.url,
        db: db.name,
        env: { OFFICER_GROUP_ID: String(GROUP), WEBHOOK_URL: `https://localhost${PATH}`, WEBHOOK_SECRET: SECRET, PORT: String(port) },
      }),
    );
    targets.push({ port, path: PATH, secret: SECRET });
  }
  api.webhooks = { targets, duplicateRate: 0, rng: seeded(7) };
  // The first process learns of the second within its heartbeat (2 s); the second saw the first at start.
  const until = Date.now() + 10_000;
  while (!bots.every((b) => b.logs.some((l) => l.msg.startsWith("another bot process serves this database") || (l.msg === "process presence" && l.shared === true)))) {
    if (Date.now() > until) throw new Error("the processes did not notice each other");
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await ProcessBeat.countDocuments()).toBe(2);

  const u = api.user(73001);
  await registeredMember(u.id);
  await u.send(t("request.menu.produksi"));
  const asked: string[] = [u.lastText()];
  for (const step of [GOOD.produksi.category, GOOD.produksi.product, GOOD.produksi.photos, GOOD.produksi.description, GOOD.produksi.urgency]) {
    await step(u, t);
    asked.push(u.lastText());
  }
  // Every answer moved the dialogue on: no question came twice.
  expect(new Set(asked).size).toBe(asked.length);
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved).toMatchObject({ type: "produksi", memberTelegramId: u.id, answers: EXPECTED.produksi.answers });
  // Both processes took part.
  expect(bots.every((b) => b.logs.some((l) => l.msg === "update handled"))).toBe(true);
});
