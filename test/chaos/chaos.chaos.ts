/**
 * Chaos (`npm run chaos`, also run by .ci/run): the real bot as a process, polling a fake Telegram
 * (then, a second time, taking its updates by webhook) that fails about one call in ten (500, 429 with retry_after, dropped connections), while its
 * database is cut off for 20 s once. Twenty members file a *Pelatihan* request each, acting on what
 * they see (a question that did not arrive is asked for with "?"; told of a failure, they begin again), and two officers take and review
 * every card. At the end: every code a member saw is one request, every request one card, every
 * officer action took effect and reached its member once, and a member who did not finish still has
 * their dialogue. Prints `members N, requests N, lost N, doubled N, faults injected N`.
 */
import { useTestDatabase, clearDatabase } from "../helpers/db";
import { type ChaosRun, botLogSummary, cardsSent, filedCounts, hasButton, lastMessageIn, officersReviewAll } from "../helpers/chaos";
import { FakeBotApiServer } from "../helpers/fake-bot-api-server";
import { seeded } from "../helpers/random";
import { startBot, freePort, type BotProcess } from "../helpers/bot-process";
import { DbProxy, testUriParts } from "../helpers/db-proxy";
import { registeredMember, stripTags, summaryTitle } from "../helpers/requests";
import type { TestUser } from "../helpers/harness";
import { upsertOfficer } from "../../src/domain/officers";
import { REQUEST_DEFINITIONS } from "../../src/domain/request-definitions";
import { Outbox } from "../../src/db/models/outbox";
import { ConversationState } from "../../src/db/models/conversation-state";
import { tFor, typeWords } from "../../src/i18n";

const db = useTestDatabase();
const t = tFor("id");
const GROUP = -1001777000111;
const OFFICERS = [78901, 78902];
const MEMBERS = 20;
const WEBHOOK_PATH = "/telegram/chaos";
const WEBHOOK_SECRET = "chaos_Secret-1";
const FIRST_MEMBER = 78001;
/** How long a member keeps trying, and an officer keeps pressing (each phase ends within it). */
const MEMBER_PATIENCE_MS = 240_000;
const OFFICER_PATIENCE_MS = 300_000;
/** The test's own limit: the phases' bounds (24 s + 240 s + 300 s + 120 s) and the start. */
const TEST_TIMEOUT_MS = 780_000;
let api = new FakeBotApiServer();
let bot: BotProcess | undefined;
let proxy: DbProxy | undefined;

let started = Date.now();
let chaosRun: ChaosRun = { over: false };
let finished = false;
/** Where a run is (printed as it goes, so a run that takes too long shows which part did). */
function phase(mode: string, what: string): void {
  process.stdout.write(`[chaos ${mode}] ${Math.round((Date.now() - started) / 1000)} s: ${what}\n`);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CODE = /Kode: <b>([A-Z]{3}-\d{4}-\d{3,6})<\/b>/;

/** An action that may fail with Telegram or the database: the member simply looks again. */
async function attempt(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch {
    /* not processed in time: looked at again on the next round */
  }
}

interface MemberRun {
  id: number;
  code?: string;
  pressedKirim: boolean;
  /** Times the member began again after the bot said it failed or had no dialogue open. */
  restarts: number;
  /** Told no dialogue was open after a question had been asked, and never told of a failure. */
  dialogueLost?: boolean;
}

/** A member files a Pelatihan request, acting on the last message they see, as a person would. */
async function member(u: TestUser): Promise<MemberRun> {
  const run: MemberRun = { id: u.id, pressedKirim: false, restarts: 0 };
  const steps = REQUEST_DEFINITIONS.pelatihan.steps;
  const answers: Record<string, string> = { topic: t("request.opt.topik_kemasan"), scope: t("request.opt.sendiri"), goal: t("dialog.skip") };
  await attempt(() => u.send("/pelatihan"));
  // Bounded in time as well as in rounds: in webhook mode one send may wait for its update long.
  const until = Date.now() + MEMBER_PATIENCE_MS;
  let asked = false;
  for (let round = 0; round < 60 && Date.now() < until && !chaosRun.over; round++) {
    const code = api.telegram
      .textsTo(u.id)
      .map((x) => CODE.exec(x)?.[1])
      .find(Boolean);
    if (code) return { ...run, code };
    const last = lastMessageIn(api, u.id);
    const text = stripTags(String(last?.text ?? ""));
    const step = steps.find((s) => text.startsWith(stripTags(t(s.prompt))) && hasButton(last, answers[s.key]));
    if (step) {
      asked = true;
      await attempt(() => u.press(answers[step.key], { messageId: last!.message_id as number }));
    } else if (text.includes(summaryTitle("pelatihan", t)) && hasButton(last, t("request.send"))) {
      run.pressedKirim = true;
      await attempt(() => u.press(t("request.send"), { messageId: last!.message_id as number }));
    } else if (!run.pressedKirim && [t("errors.internal"), t("unhandled.member_no_open")].some((x) => text === stripTags(x))) {
      // Told the bot failed (and to try again), or that no dialogue is open: a person starts again.
      // "None open" after a question was asked, with no failure said, is a lost dialogue.
      const toldFailed = api.telegram.textsTo(u.id).includes(t("errors.internal"));
      if (text === stripTags(t("unhandled.member_no_open")) && asked && !toldFailed) run.dialogueLost = true;
      asked = false;
      run.restarts++;
      await attempt(() => u.send("/pelatihan"));
      await sleep(1_000);
    } else if (run.pressedKirim) {
      // Sent: the code comes (through the outbox if Telegram refused the confirmation).
      await sleep(1_000);
    } else {
      // The question did not arrive (or the answer got no reply): ask for it.
      await attempt(() => u.send("?"));
      await sleep(300);
    }
  }
  return run;
}

afterEach(async () => {
  chaosRun.over = true;
  if (!finished) process.stdout.write(`[chaos] did not finish after ${Math.round((Date.now() - started) / 1000)} s\n${botLogSummary(bot)}\n`);
  await bot?.ensureStopped();
  await proxy?.down();
  await api.stop();
});

test.each(["polling", "webhook"] as const)(
  "%s: members and officers under Telegram faults and a 20 s database outage: nothing lost, nothing doubled",
  async (mode) => {
    started = Date.now();
    chaosRun = { over: false };
    finished = false;
    await clearDatabase();
    api = new FakeBotApiServer();
    await api.start();
    api.isProcessed = (id) => bot?.handled(id) ?? false;
    api.processTimeoutMs = 90_000;
    const parts = testUriParts();
    if (!parts) throw new Error("the chaos test needs MONGODB_TEST_URI naming a single host:port (it cuts the database off through a proxy)");
    for (const [i, id] of OFFICERS.entries()) await upsertOfficer({ telegramId: id, name: `Petugas ${i + 1}`, handles: { types: [], kecamatan: [] } }, 1, new Date());
    const users = [];
    for (let i = 0; i < MEMBERS; i++) {
      const id = FIRST_MEMBER + i;
      await registeredMember(id);
      users.push(api.user(id));
    }
    proxy = new DbProxy(parts[1], Number(parts[2]));
    const dbPort = await proxy.up();
    const uri = `mongodb://127.0.0.1:${dbPort}/${db.name}${parts[3] ?? ""}`;
    const env: Record<string, string> = { MONGODB_URI: uri, OFFICER_GROUP_ID: String(GROUP), LOG_LEVEL: "debug" };
    if (mode === "webhook") {
      const port = await freePort();
      Object.assign(env, { WEBHOOK_URL: `https://localhost${WEBHOOK_PATH}`, WEBHOOK_SECRET: WEBHOOK_SECRET, PORT: String(port) });
      api.webhook = { port, path: WEBHOOK_PATH, secret: WEBHOOK_SECRET };
    }
    bot = await startBot({ apiRoot: api.url, db: db.name, env });
    api.chaos = { rate: 0.1, rng: seeded(20261202), except: [] };

    // The members start; a few seconds in, the database is gone for 20 s.
    const running = users.map((u, i) => sleep(i * 150).then(() => member(u)));
    await sleep(4_000);
    await proxy.down();
    await sleep(20_000);
    await proxy.up(dbPort);
    const runs = await Promise.all(running);
    phase(mode, `members done (codes ${runs.filter((r) => r.code).length})`);

    // Two officers take and review every request.
    const reviews = await officersReviewAll(api, GROUP, OFFICERS, OFFICER_PATIENCE_MS, chaosRun);
    const acted = reviews.map((x) => x.ok);
    phase(mode, `officers done (${acted.filter(Boolean).length}/${acted.length})`);

    // Telegram calms down; everything queued goes out.
    api.chaos = undefined;
    for (let i = 0; i < 240 && (await Outbox.countDocuments({ status: "pending" })) > 0; i++) await sleep(500);
    finished = true;

    const codesSeen = runs.filter((r) => r.code).map((r) => r.code!);
    const { all, lostCodes, doubledRequests } = await filedCounts(codesSeen);
    const cards = (code: string) => cardsSent(api, GROUP, code);
    const cardCounts = all.map((r) => ({ code: r.code, cards: cards(r.code), note: r.timeline.some((e) => e.kind === "delivery") }));
    const missingCards = cardCounts.filter((c) => c.cards === 0 && !c.note).length;
    const doubledCards = cardCounts.filter((c) => c.cards > 1).length;
    // Every officer's review reached its member once.
    const reviewNotices = all.map(
      (r) => api.telegram.textsTo(r.memberTelegramId).filter((x) => x === t("officer.member.status.ditelaah", { ...typeWords(t, "pelatihan"), code: r.code, note: "" })).length,
    );
    const lostNotices = reviewNotices.filter((n) => n === 0).length;
    const doubledNotices = reviewNotices.filter((n) => n > 1).length;
    const officerActionsLost = acted.filter((ok) => !ok).length;
    for (const [i, ok] of acted.entries()) {
      if (ok) continue;
      const r = all.find((x) => String(x._id) === reviews[i].requestId);
      process.stdout.write(`[chaos] officer action not done: ${r?.code} status ${r?.status} assignee ${r?.assigneeTelegramId} card ${JSON.stringify(r?.card)}\n`);
    }
    // A member who did not see a code still has their dialogue (or their request is saved).
    const unfinished = runs.filter((r) => !r.code);
    let lostDialogues = runs.filter((r) => r.dialogueLost).length;
    for (const r of unfinished) {
      const hasRequest = all.some((x) => x.memberTelegramId === r.id);
      const hasState = (await ConversationState.countDocuments({ _id: String(r.id) })) > 0;
      if (!hasRequest && !hasState) lostDialogues++;
      const seen = api.telegram
        .textsTo(r.id)
        .slice(-3)
        .map((x) => stripTags(x).slice(0, 80));
      process.stdout.write(`[chaos ${mode}] member ${r.id} unfinished (request ${hasRequest}, dialogue ${hasState}); last seen: ${JSON.stringify(seen)}\n`);
    }
    const lost = lostCodes.length + missingCards + lostNotices + officerActionsLost + lostDialogues;
    const doubled = doubledRequests + doubledCards + doubledNotices;
    process.stdout.write(
      `\n[chaos ${mode}] members ${MEMBERS}, requests ${all.length}, lost ${lost}, doubled ${doubled}, faults injected ${api.faultsInjected}` +
        ` (codes seen ${codesSeen.length}, unfinished ${unfinished.length}, began again ${runs.reduce((n, r) => n + r.restarts, 0)}, pending outbox ${await Outbox.countDocuments({ status: "pending" })}` +
        `${mode === "webhook" ? `, webhook answers other than 200: ${api.webhookRefusals.length}` : ""})\n`,
    );
    if (lost + doubled + unfinished.length > 0) process.stdout.write(`${botLogSummary(bot)}\n`);
    expect({ lostCodes, missingCards, lostNotices, officerActionsLost, lostDialogues }).toEqual({
      lostCodes: [],
      missingCards: 0,
      lostNotices: 0,
      officerActionsLost: 0,
      lostDialogues: 0,
    });
    expect({ doubledRequests, doubledCards, doubledNotices }).toEqual({ doubledRequests: 0, doubledCards: 0, doubledNotices: 0 });
    expect(codesSeen.length).toBe(MEMBERS);
    expect(all).toHaveLength(MEMBERS);
    expect(api.faultsInjected).toBeGreaterThan(0);
    // Members pressed as people do; a dialogue that was still open when the test ended would show here.
    expect(unfinished.map((r) => r.id)).toEqual([]);
  },
  TEST_TIMEOUT_MS,
);
