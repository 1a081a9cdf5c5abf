/**
 * Fault: SIGTERM while members are busy. The real bot process stops taking updates, finishes the
 * ones it has (here they wait on a slow Telegram when the signal comes), stops the dispatcher and
 * exits 0 within 10 seconds. Nothing is half-done: every update is processed exactly once, partly
 * by this process and the rest by the next one, and every request comes out as the member
 * answered it. /healthz answers in polling mode too (PORT set).
 */
import { useTestDatabase } from "./helpers/db";
import { FakeBotApiServer, getJson } from "./helpers/fake-bot-api-server";
import { startBot, freePort, type BotProcess } from "./helpers/bot-process";
import { registeredMember, GOOD, EXPECTED, codeIn } from "./helpers/requests";
import { REQUEST_DEFINITIONS } from "../src/domain/request-definitions";
import { Request } from "../src/db/models/request";
import { tFor } from "../src/i18n";

const db = useTestDatabase();
const t = tFor("id");
const MEMBERS = 10;
const api = new FakeBotApiServer();
const processes: BotProcess[] = [];

beforeAll(async () => {
  await api.start();
  api.isProcessed = (id) => processes.some((p) => p.handled(id));
});
afterAll(async () => {
  for (const p of processes) await p.ensureStopped();
  await api.stop();
});

test("SIGTERM during traffic: exit 0 within 10 s, in-flight updates finished, the rest taken by the next process, every request intact", async () => {
  const port = await freePort();
  const start = async () => {
    const p = await startBot({ apiRoot: api.url, db: db.name, env: { PORT: String(port), OFFICER_GROUP_ID: "-1009876543210" } });
    processes.push(p);
    return p;
  };
  const ids = Array.from({ length: MEMBERS }, (_, i) => 72001 + i);
  for (const id of ids) await registeredMember(id);
  const first = await start();
  expect(await getJson(port, "/healthz")).toEqual({ status: 200, body: { status: "ok", database: "up" } });

  // Each member submits Kendala produksi requests one after the other until told to stop.
  let stop = false;
  const submitted = new Map<number, string[]>();
  const drive = async (id: number) => {
    const u = api.user(id);
    const codes: string[] = [];
    submitted.set(id, codes);
    do {
      await u.send(t("request.menu.produksi"));
      for (const step of REQUEST_DEFINITIONS.produksi.steps) await GOOD.produksi[step.key](u, t);
      await u.press(t("request.send"));
      codes.push(codeIn(u.lastText()));
    } while (!stop);
  };
  const drivers = Promise.all(ids.map(drive));
  // If an assertion below fails, the drivers still end (with an error) after this test: keep that
  // from surfacing in another suite. The drivers are awaited, and their errors reported, below.
  drivers.catch(() => undefined);

  // Traffic for a while; then Telegram turns slow, so updates are in the middle of their sends.
  await new Promise((r) => setTimeout(r, 3000));
  const slow = api.hold((method, p) => method === "sendMessage" && Number(p.chat_id) > 0);
  for (let i = 0; slow.held < 3 && i < 400; i++) await new Promise((r) => setTimeout(r, 10));
  const signalAt = Date.now();
  first.kill("SIGTERM");
  stop = true;
  setTimeout(() => slow.release(), 1000);
  const exit = await first.exited;

  expect(exit.code).toBe(0);
  expect(exit.at - signalAt).toBeLessThan(10_000);
  const shutdown = first.logs.find((l) => l.msg === "shutting down")!;
  expect(shutdown.inFlight as number).toBeGreaterThanOrEqual(3);
  expect(first.logs.find((l) => l.msg === "stopped cleanly")).toMatchObject({ clean: true });
  // After the signal nothing new was taken in: every update this process fetched, it finished.
  const fetchedByFirst = [...api.delivered].filter(([, at]) => at <= exit.at).map(([id]) => id);
  const unfinished = fetchedByFirst.filter((id) => !first.handled(id));
  // The one exception: the long-poll answer the shutdown cut off (the runner aborts its pending
  // getUpdates) was never received, and may hold several updates. They come again below.
  const lastAnswer = api.batches.filter((b) => b.at <= exit.at).at(-1)?.ids ?? [];
  for (const id of unfinished) expect({ id, inLastAnswer: lastAnswer.includes(id) }).toEqual({ id, inLastAnswer: true });

  // The members go on; the next process takes what was not yet fetched.
  await start();
  await drivers;

  // Every update processed exactly once (a copy the first process already took is recognised).
  const duplicates = new Set(processes.flatMap((p) => p.logs.filter((l) => l.msg === "duplicate update ignored").map((l) => l.update_id as number)));
  for (const id of api.delivered.keys()) {
    const handledBy = processes.filter((p) => p.handled(id)).length;
    expect({ id, handledBy: handledBy - (duplicates.has(id) ? 1 : 0) }).toEqual({ id, handledBy: 1 });
  }
  process.stdout.write(
    `\n[SIGTERM during traffic] ${api.delivered.size} updates, ${shutdown.inFlight} in flight at the signal, exit ${exit.code} after ${exit.at - signalAt} ms, ` +
      `${fetchedByFirst.length} fetched by the first process (${unfinished.length} of them in the answer cut off by the shutdown), ${duplicates.size} copies recognised by the second, ${[...submitted.values()].flat().length} requests\n`,
  );
  // Every request as the member answered it, once.
  const codes = [...submitted.values()].flat();
  expect(codes.length).toBeGreaterThanOrEqual(MEMBERS);
  expect(new Set(codes).size).toBe(codes.length);
  expect(await Request.countDocuments()).toBe(codes.length);
  for (const [id, mine] of submitted) {
    for (const code of mine) {
      const r = await Request.findOne({ code }).lean();
      expect(r).toMatchObject({ memberTelegramId: id, answers: EXPECTED.produksi.answers });
    }
  }
}, 120_000);
