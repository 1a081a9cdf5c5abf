/**
 * Chaos on both channels at once (`npm run chaos`): the real bot process polls a fake Telegram that
 * fails about one call in ten, and takes WhatsApp webhooks while the fake Graph API fails about one
 * send in ten (500, 130429, dropped connections); the database is cut off for 20 s once (webhooks
 * then get 503 and are sent again, as Meta does). Half of the members write on WhatsApp (registered
 * on Telegram with their own number, linked by it), some of their messages delivered twice, half on
 * Telegram; each files a *Pelatihan* request acting on what they see, and two officers take and
 * review every card in the group. At the end: every code seen is one request, every request one
 * card, and every member heard of the review once, on the channel they wrote on. Prints
 * `[chaos whatsapp] members N, requests N, lost N, doubled N, faults injected N`.
 */
import { useTestDatabase, clearDatabase } from "../helpers/db";
import { botLogSummary, buttonLabels, cardsSent, filedCounts, lastMessageIn, officersReviewAll, type ChaosRun } from "../helpers/chaos";
import { FakeBotApiServer } from "../helpers/fake-bot-api-server";
import { FakeGraphApi } from "../helpers/fake-graph-api";
import { seeded } from "../helpers/random";
import { startBot, freePort, type BotProcess } from "../helpers/bot-process";
import { DbProxy, testUriParts } from "../helpers/db-proxy";
import { registeredMember } from "../helpers/requests";
import { whatsappProcessEnv } from "../helpers/whatsapp";
import { textOf } from "../helpers/localeText";
import { upsertOfficer } from "../../src/domain/officers";
import { htmlToWhatsApp } from "../../src/whatsapp/format";
import { Request } from "../../src/db/models/request";
import { Member } from "../../src/db/models/member";
import { Outbox } from "../../src/db/models/outbox";
import { tFor, typeWords } from "../../src/i18n";

const db = useTestDatabase();
const t = tFor("id");
const GROUP = -1001777000222;
const OFFICERS = [79901, 79902];
const MEMBERS = 12;
const FIRST_MEMBER = 79001;
const TOKEN = "EAAG" + "c".repeat(40);
const PHONE_ID = "106540352242922";
const SECRET = "0123456789abcdef0123";
/** How long a member keeps trying, and an officer keeps pressing; with the start, the outage and the outbox's last minute, well inside TEST_TIMEOUT_MS. */
const MEMBER_PATIENCE_MS = 200_000;
const OFFICER_PATIENCE_MS = 240_000;
const TEST_TIMEOUT_MS = 780_000;
const CODE = /\*([A-Z]{3}-\d{4}-\d{3,6})\*/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const plain = (key: string, vars?: Record<string, unknown>) => htmlToWhatsApp(textOf(key, vars));
const numberOf = (id: number) => `62812${String(id).padStart(7, "0")}`;

let api = new FakeBotApiServer();
let graph = new FakeGraphApi(TOKEN, PHONE_ID);
let bot: BotProcess | undefined;
let proxy: DbProxy | undefined;
let url = "";
let started = Date.now();
let run: ChaosRun = { over: false };
let finished = false;
const phase = (what: string) => process.stdout.write(`[chaos whatsapp] ${Math.round((Date.now() - started) / 1000)} s: ${what}\n`);

afterEach(async () => {
  run.over = true;
  if (!finished) process.stdout.write(`[chaos whatsapp] did not finish after ${Math.round((Date.now() - started) / 1000)} s\n${botLogSummary(bot)}\n`);
  await bot?.ensureStopped();
  await proxy?.down();
  await api.stop();
  await graph.stop();
});

/** Posts a webhook as Meta does: again (after a pause) until the bot answers 200; sometimes twice though it was taken. */
async function deliver(message: Record<string, unknown>, rng: () => number): Promise<void> {
  const from = String(message.from);
  graph.inbound(from);
  const body = FakeGraphApi.webhook([message]);
  for (let i = 0; i < 200 && !run.over; i++) {
    const status = await FakeGraphApi.post(url, body, SECRET).catch(() => 0);
    if (status === 200) {
      if (rng() < 0.15) await FakeGraphApi.post(url, body, SECRET).catch(() => 0);
      return;
    }
    await sleep(500);
  }
}

interface Run {
  id: number;
  code?: string;
}

/** A WhatsApp member files Pelatihan, answering the last message they got (a lost one is asked for with "?"). */
async function whatsappMember(id: number, rng: () => number): Promise<Run> {
  const to = numberOf(id);
  const said = () => graph.sent.filter((m) => m.to === to);
  const bodyOf = (m: (typeof graph.sent)[number]) =>
    m.type === "text" ? (m.payload.text as { body: string }).body : String((m.payload.interactive as { body?: { text?: string } } | undefined)?.body?.text ?? "");
  const ids = (m: (typeof graph.sent)[number]) => JSON.stringify(m.payload.interactive ?? {});
  await deliver(graph.text(to, "halo"), rng);
  const until = Date.now() + MEMBER_PATIENCE_MS;
  let seen = 0;
  let waited = 0;
  while (Date.now() < until && !run.over) {
    const code = said()
      .map((m) => (m.type === "text" ? CODE.exec(bodyOf(m))?.[1] : undefined))
      .find(Boolean);
    if (code && said().some((m) => bodyOf(m).startsWith(plain("request.sent", { ...typeWords(t, "pelatihan"), code })))) return { id, code };
    const all = said();
    if (all.length === seen && waited < 20) {
      await sleep(250);
      waited++;
      continue;
    }
    const last = all.at(-1);
    seen = all.length;
    waited = 0;
    const text = last ? bodyOf(last) : "";
    if (text.startsWith(plain("request.pelatihan.topic"))) await deliver(graph.text(to, "1"), rng);
    else if (text.startsWith(plain("request.pelatihan.scope"))) await deliver(graph.buttonReply(to, "o0"), rng);
    else if (text.startsWith(plain("request.pelatihan.goal"))) await deliver(graph.text(to, "lewati"), rng);
    else if (last && ids(last).includes('"send"')) await deliver(graph.buttonReply(to, "send"), rng);
    else if (last && ids(last).includes("menu:pelatihan")) await deliver(graph.listReply(to, "menu:pelatihan"), rng);
    else await deliver(graph.text(to, "?"), rng);
  }
  return { id };
}

/** A Telegram member files Pelatihan by its commands and buttons (as in chaos.chaos.ts, shortened: by the database's answer). */
async function telegramMember(id: number): Promise<Run> {
  const u = api.user(id);
  const until = Date.now() + MEMBER_PATIENCE_MS;
  const answers = [t("request.opt.topik_kemasan"), t("request.opt.sendiri"), t("dialog.skip"), t("request.send")];
  await u.send("/pelatihan").catch(() => undefined);
  while (Date.now() < until && !run.over) {
    const r = await Request.findOne({ memberTelegramId: id }).lean();
    if (r && api.telegram.textsTo(id).some((x) => x.includes(r.code))) return { id, code: r.code };
    const last = lastMessageIn(api, id);
    const kb = buttonLabels(last);
    const label = answers.find((a) => kb.includes(a));
    if (label && last) await u.press(label, { messageId: last.message_id as number }).catch(() => undefined);
    else await u.send("?").catch(() => undefined);
    await sleep(400);
  }
  return { id };
}

test(
  "both channels under faults and a 20 s database outage: nothing lost, nothing doubled, each member told on their channel",
  async () => {
    started = Date.now();
    run = { over: false };
    finished = false;
    await clearDatabase();
    api = new FakeBotApiServer();
    graph = new FakeGraphApi(TOKEN, PHONE_ID);
    await api.start();
    await graph.start();
    api.isProcessed = (id) => bot?.handled(id) ?? false;
    api.processTimeoutMs = 90_000;
    const parts = testUriParts();
    if (!parts) throw new Error("the chaos test needs MONGODB_TEST_URI naming a single host:port");
    for (const [i, id] of OFFICERS.entries()) await upsertOfficer({ telegramId: id, name: `Petugas ${i + 1}`, handles: { types: [], kecamatan: [] } }, 1, new Date());
    const ids = Array.from({ length: MEMBERS }, (_, i) => FIRST_MEMBER + i);
    for (const id of ids) {
      await registeredMember(id);
      await Member.updateOne({ telegramId: id }, { $set: { phone: `+${numberOf(id)}` } });
    }
    const onWhatsApp = new Set(ids.filter((_, i) => i % 2 === 0));
    proxy = new DbProxy(parts[1], Number(parts[2]));
    const dbPort = await proxy.up();
    const port = await freePort();
    bot = await startBot({
      apiRoot: api.url,
      db: db.name,
      env: {
        MONGODB_URI: `mongodb://127.0.0.1:${dbPort}/${db.name}${parts[3] ?? ""}`,
        OFFICER_GROUP_ID: String(GROUP),
        ...whatsappProcessEnv({ token: TOKEN, phoneNumberId: PHONE_ID, appSecret: SECRET, apiRoot: graph.url, port }),
      },
    });
    url = `http://127.0.0.1:${port}/whatsapp`;
    const rng = seeded(20261207);
    api.chaos = { rate: 0.1, rng: seeded(20261208), except: [] };
    graph.chaos = { rate: 0.1, rng: seeded(20261209) };

    const running = ids.map((id, i) => sleep(i * 200).then(() => (onWhatsApp.has(id) ? whatsappMember(id, rng) : telegramMember(id))));
    await sleep(4_000);
    await proxy.down();
    await sleep(20_000);
    await proxy.up(dbPort);
    const runs = await Promise.all(running);
    phase(`members done (codes ${runs.filter((r) => r.code).length})`);

    const acted = (await officersReviewAll(api, GROUP, OFFICERS, OFFICER_PATIENCE_MS, run)).map((x) => x.ok);
    phase(`officers done (${acted.filter(Boolean).length}/${acted.length})`);

    api.chaos = undefined;
    graph.chaos = undefined;
    for (let i = 0; i < 120 && (await Outbox.countDocuments({ status: "pending" })) > 0; i++) await sleep(500);
    phase("outbox done");
    finished = true;

    const codesSeen = runs.filter((r) => r.code).map((r) => r.code!);
    const { all, lostCodes, doubledRequests } = await filedCounts(codesSeen);
    const cards = (code: string) => cardsSent(api, GROUP, code);
    const cardCounts = all.map((r) => cards(r.code));
    const notices = all.map((r) => {
      const html = t("officer.member.status.ditelaah", { ...typeWords(t, "pelatihan"), code: r.code, note: "" });
      const wa = graph.textsTo(numberOf(r.memberTelegramId)).filter((x) => x === htmlToWhatsApp(html)).length;
      const tg = api.telegram.textsTo(r.memberTelegramId).filter((x) => x === html).length;
      return { wa, tg, whatsapp: onWhatsApp.has(r.memberTelegramId) };
    });
    const lostNotices = notices.filter((n) => (n.whatsapp ? n.wa : n.tg) === 0).length;
    const doubledNotices = notices.filter((n) => n.wa + n.tg > 1).length;
    const wrongChannel = notices.filter((n) => (n.whatsapp ? n.tg : n.wa) > 0).length;
    const lost = lostCodes.length + cardCounts.filter((n) => n === 0).length + lostNotices + acted.filter((ok) => !ok).length;
    const doubled = doubledRequests + cardCounts.filter((n) => n > 1).length + doubledNotices;
    process.stdout.write(
      `\n[chaos whatsapp] members ${MEMBERS} (${onWhatsApp.size} on WhatsApp), requests ${all.length}, lost ${lost}, doubled ${doubled}, wrong channel ${wrongChannel}, ` +
        `faults injected ${api.faultsInjected} Telegram + ${graph.faultsInjected} WhatsApp (pending outbox ${await Outbox.countDocuments({ status: "pending" })})\n`,
    );
    if (lost + doubled + wrongChannel > 0) process.stdout.write(`${botLogSummary(bot)}\n`);
    expect({ lost, doubled, wrongChannel }).toEqual({ lost: 0, doubled: 0, wrongChannel: 0 });
    expect(codesSeen).toHaveLength(MEMBERS);
    expect(all).toHaveLength(MEMBERS);
    expect(graph.faultsInjected).toBeGreaterThan(0);
    expect(graph.htmlLeaks).toEqual([]);
  },
  TEST_TIMEOUT_MS,
);
