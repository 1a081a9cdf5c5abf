/**
 * Service levels from the environment hold across a restart (issue 23.1). The real process
 * (src/main.ts) runs with SLA_RESPONSE_DAYS=7, SLA_FOLLOWUP_DAYS=9, SLA_TOTAL_DAYS=20; at start it
 * computes the deadlines of open requests again, and that must use these settings, not the defaults
 * (a restart once moved a due date of 15 December back to 9 December).
 */
import { Types } from "mongoose";
import { useTestDatabase } from "./helpers/db";
import { FakeBotApiServer } from "./helpers/fake-bot-api-server";
import { startBot, type BotProcess } from "./helpers/bot-process";
import { registeredMember, GOOD, codeIn } from "./helpers/requests";
import { Request } from "../src/db/models/request";
import { createRequest } from "../src/domain/requests";
import { computeDeadline } from "../src/domain/deadlines";
import { loadCalendar } from "../src/domain/holidays";
import { witaDay } from "../src/domain/working-days";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import { tFor } from "../src/i18n";

const db = useTestDatabase();
const t = tFor("id");
const GROUP = -1001234567123;
const api = new FakeBotApiServer();
let bot: BotProcess | undefined;
const SLA_ENV = { SLA_RESPONSE_DAYS: "7", SLA_FOLLOWUP_DAYS: "9", SLA_TOTAL_DAYS: "20" };
const CONFIGURED = { ...SLA_DEFAULTS, responseDays: 7, followupDays: 9, totalDays: 20 };

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

const start = () => startBot({ apiRoot: api.url, db: db.name, env: { OFFICER_GROUP_ID: String(GROUP), ...SLA_ENV } });

async function stop(b: BotProcess) {
  b.kill("SIGTERM");
  expect((await b.exited).code).toBe(0);
}

async function deadlines(code: string) {
  const r = await Request.findOne({ code }).lean();
  return { dueAt: r!.sla?.dueAt ?? null, targetAt: r!.sla?.targetAt ?? null };
}

test("SLA_* from the environment: a request's deadlines follow them at start, and a restart keeps them", async () => {
  // Filed on Sunday 6 December 2026 (10:00 WITA), saved while the defaults were in force.
  const filedAt = new Date("2026-12-06T02:00:00Z");
  const member = await registeredMember(72001);
  const old = await createRequest({
    type: "kemasan",
    member: { id: member.id, telegramId: member.telegramId, sentraId: member.sentraId ?? null, kecamatan: "Mengwi" },
    answers: { need: "label" },
    attachments: [],
    sourceKey: `test:${new Types.ObjectId().toHexString()}`,
    now: filedAt,
    sla: SLA_DEFAULTS,
  });
  expect(witaDay(old.sla.dueAt!)).toBe("2026-12-09");

  bot = await start();
  // At start: seven working days from Sunday (Mon 7 … Tue 15), the total target twenty.
  const first = await deadlines(old.code);
  expect(witaDay(first.dueAt!)).toBe("2026-12-15");
  expect(witaDay(first.targetAt!)).toBe("2027-01-08");

  // A request filed through the running bot gets the configured deadline too.
  const u = api.user(72002);
  await registeredMember(u.id);
  await u.send(t("request.menu.produksi"));
  for (const step of [GOOD.produksi.category, GOOD.produksi.product, GOOD.produksi.photos, GOOD.produksi.description, GOOD.produksi.urgency]) await step(u, t);
  await u.press(t("request.send"));
  const code = codeIn(u.lastText());
  const filed = await Request.findOne({ code }).lean();
  const expected = computeDeadline(
    { status: "diterima", assigneeTelegramId: null, createdAt: filed!.createdAt, timeline: [{ at: filed!.createdAt, kind: "created", role: "member" }] },
    await loadCalendar(),
    CONFIGURED,
  );
  expect(filed!.sla?.dueAt?.getTime()).toBe(expected.dueAt!.getTime());

  // SIGTERM and a fresh start: nothing moves.
  const before = await deadlines(code);
  await stop(bot);
  bot = await start();
  expect(await deadlines(old.code)).toEqual(first);
  expect(await deadlines(code)).toEqual(before);
});
