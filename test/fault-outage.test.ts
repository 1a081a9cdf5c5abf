/**
 * Fault: Telegram misbehaves for a while (429 with retry_after, 500, connections closed, also for
 * getUpdates) while
 * members submit requests and an officer claims one. The real bot process rides it out: the
 * members' confirmations arrive (capped retries inside the dialogue), and every alert, photo, card
 * edit and member notification arrives afterwards (the outbox retries).
 */
import { useTestDatabase } from "./helpers/db";
import { FakeBotApiServer, type Outage } from "./helpers/fake-bot-api-server";
import { startBot, type BotProcess } from "./helpers/bot-process";
import { registeredMember, fillSteps, codeIn } from "./helpers/requests";
import { upsertOfficer } from "../src/domain/officers";
import { Outbox } from "../src/db/models/outbox";
import { Request } from "../src/db/models/request";
import type { Chat } from "grammy/types";
import type { ApiCall } from "./helpers/harness";
import { tFor } from "../src/i18n";

const db = useTestDatabase();
const t = tFor("id");
const GROUP = -1001234567891;
const OFFICER = 74900;
const api = new FakeBotApiServer();
let bot: BotProcess | undefined;

beforeAll(async () => {
  await api.start();
  api.isProcessed = (id) => bot?.handled(id) ?? false;
});
afterAll(async () => {
  await bot?.ensureStopped();
  await api.stop();
});

const toGroup = (code: string) => (c: ApiCall) => Number(c.payload.chat_id) === GROUP && String(c.payload.text ?? c.payload.caption ?? "").includes(code);

test("429, 500 and closed connections for a while: every confirmation, alert, photo, card edit and notification arrives afterwards", async () => {
  // Registered before the bot starts (an admin's /petugas in the bot itself would be seen at once;
  // the bot keeps the officers it read for a minute).
  await upsertOfficer({ telegramId: OFFICER, name: "Made Petugas", handles: { types: [], kecamatan: [] } }, 1, new Date());
  bot = await startBot({ apiRoot: api.url, db: db.name, env: { OFFICER_GROUP_ID: String(GROUP) } });

  // The last one takes getUpdates down too (Telegram unreachable altogether).
  const outages: [Outage, string[]][] = [
    [{ kind: "429", retryAfter: 1 }, ["getUpdates"]],
    [{ kind: "500" }, ["getUpdates"]],
    [{ kind: "close" }, ["getUpdates"]],
    [{ kind: "close" }, []],
  ];
  const codes: { code: string; member: number }[] = [];
  for (const [i, [outage, except]] of outages.entries()) {
    const u = api.user(74001 + i);
    await registeredMember(u.id);
    await u.send(t("request.menu.produksi"));
    await fillSteps(u, "produksi");
    // Telegram fails every call for 2.5 s, starting as the member submits.
    const refusedBefore = api.refused;
    api.startOutage(outage, 2500, except);
    await u.press(t("request.send"));
    expect(api.refused).toBeGreaterThan(refusedBefore);
    // The confirmation with the code arrived (the dialogue's own calls retried through the outage).
    codes.push({ code: codeIn(u.lastText()), member: u.id });
  }

  // Every alert and its photo reach the group.
  for (const { code } of codes) {
    await api.waitForCall("sendMessage", toGroup(code), 1, 60_000);
    const request = await Request.findOne({ code }).lean();
    await api.waitForCall("sendPhoto", (c) => Number(c.payload.chat_id) === GROUP && c.payload.photo === request!.attachments[0].fileId, 1, 60_000);
  }

  // An officer claims the newest request and starts reviewing it while Telegram closes connections:
  // the card is edited and the member told of the new status, afterwards.
  const officer = api.user(OFFICER, { first_name: "Made" }, { id: GROUP, type: "supergroup", title: "Petugas Diskop" } as Chat);
  const claimed = codes[codes.length - 1];
  const memberMessagesBefore = api.telegram.callsOf("sendMessage", claimed.member).length;
  api.startOutage({ kind: "close" }, 2500, ["getUpdates"]);
  await officer.press(t("officer.btn.claim"));
  await officer.press(t("officer.btn.review"));
  await api.waitForCall("editMessageText", toGroup(claimed.code), 1, 60_000);
  const [notice] = (await api.waitForCall("sendMessage", (c) => Number(c.payload.chat_id) === claimed.member, memberMessagesBefore + 1, 60_000)).slice(-1);
  expect(String(notice.payload.text)).toContain(claimed.code);

  // Nothing is left undelivered.
  for (let i = 0; (await Outbox.countDocuments({ status: { $ne: "sent" } })) > 0 && i < 600; i++) await new Promise((r) => setTimeout(r, 100));
  expect(await Outbox.find({ status: { $ne: "sent" } }, { kind: 1, status: 1, lastError: 1 }).lean()).toEqual([]);
  expect(await Request.findOne({ code: claimed.code }).lean()).toMatchObject({ assigneeTelegramId: OFFICER, status: "ditelaah" });
}, 150_000);
