/**
 * GET /metrics (server/metrics.ts) on the bot's HTTP server, against the test database and the
 * real bot: refused without the Bearer token or with a wrong one; with it, the Prometheus text whose
 * figures move — updates by kind and outcome through the same update handler main.ts installs, Bot
 * API calls by method and result (a 429 injected), requests by status, the outbox's depth, open
 * dialogues — and the process's default metrics.
 */
import type { Update } from "grammy/types";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { BOT_INFO, Harness, silentLogger, testConfig } from "./helpers/harness";
import { registeredMember, walkShortestPath } from "./helpers/requests";
import { createHttpServer, type HttpServer } from "../src/server/http-server";
import { countingFetch, createMetrics, graphMethod, type Metrics } from "../src/server/metrics";
import { WhatsAppClient } from "../src/whatsapp/client";
import { FakeGraphApi } from "./helpers/fake-graph-api";
import { createBot } from "../src/bot";
import { updateHandler } from "../src/bot/update-handler";
import { operationsFigures } from "../src/domain/operations-figures";
import { seedSentras } from "../src/domain/sentras";

useTestDatabase();

const TOKEN = "metrics-token-0123456789abcdef";
let h: Harness;
let metrics: Metrics;
let server: HttpServer;
let url = "";

beforeEach(async () => {
  await clearDatabase();
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  h = new Harness(testConfig({ OFFICER_GROUP_ID: "-1001234567890" }));
  metrics = createMetrics({ figures: () => operationsFigures(h.clock.now()), groupLimit: 20 });
  // The bot as main.ts makes it with metrics on: every Bot API call counted under the retrying layer.
  h.bot = createBot(h.config, { logger: silentLogger, clock: h.clock.now, metrics }, { botInfo: BOT_INFO, client: { fetch: h.telegram.fetch as unknown as typeof fetch } });
  server = createHttpServer({ port: 0, host: "127.0.0.1", logger: silentLogger, healthy: async () => true, metrics: { token: TOKEN, metrics } });
  url = `http://127.0.0.1:${(await server.listen()).port}/metrics`;
});
afterEach(async () => {
  await server.close();
});

async function scrape(): Promise<string> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return res.text();
}

/** The value of one series, e.g. value(text, 'aspirasi_requests{status="diterima"}'); 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const startUpdate = (id: number, updateId: number): Update =>
  ({
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(h.clock.ms / 1000),
      chat: { id, type: "private", first_name: "A" },
      from: { id, is_bot: false, first_name: "A" },
      text: "/start",
      entities: [{ type: "bot_command", offset: 0, length: 6 }],
    },
  }) as Update;

test("without the Bearer token, or with a wrong one, /metrics is refused with 401 and shows nothing", async () => {
  const tries: Record<string, string>[] = [{}, { authorization: "Bearer wrong-token-0123456789abcdef" }, { authorization: TOKEN }];
  for (const headers of tries) {
    const res = await fetch(url, { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(await res.text()).not.toContain("aspirasi_");
  }
});

test("the figures move: updates and their time, Bot API calls by result, requests by status, the outbox, dialogues", async () => {
  const before = await scrape();
  expect(before).toContain("process_resident_memory_bytes");
  expect(value(before, 'aspirasi_updates_total{kind="message",outcome="ok"}')).toBe(0);

  const handle = updateHandler(h.bot, silentLogger, () => false, metrics);
  await handle(startUpdate(8101, 9_000_001));
  h.telegram.fail("sendMessage", { kind: "http", error_code: 429, description: "Too Many Requests: retry after 1", retry_after: 1 });
  await handle(startUpdate(8102, 9_000_002));
  const afterStart = await scrape();
  expect(value(afterStart, 'aspirasi_updates_total{kind="message",outcome="ok"}')).toBe(2);
  expect(value(afterStart, 'aspirasi_update_seconds_count{kind="message"}')).toBe(2);
  expect(value(afterStart, 'aspirasi_api_calls_total{channel="telegram",method="sendMessage",result="ok"}')).toBeGreaterThanOrEqual(1);
  expect(value(afterStart, 'aspirasi_api_calls_total{channel="telegram",method="sendMessage",result="429"}')).toBe(1);

  // A member files a request through the bot: one request diterima, its alert waiting in the outbox.
  await registeredMember(8103);
  const u = h.user(8103);
  const { code } = await walkShortestPath(u, "produksi");
  expect(code).toBeTruthy();
  const filed = await scrape();
  expect(value(filed, 'aspirasi_requests{status="diterima"}')).toBe(1);
  expect(value(filed, 'aspirasi_outbox_pending{channel="telegram"}')).toBeGreaterThanOrEqual(1);
  expect(value(filed, "aspirasi_group_budget_per_minute")).toBe(20);
  expect(value(filed, "aspirasi_metrics_figures_failed_total")).toBe(0);

  // A dialogue left open shows; what the dispatcher sent leaves the outbox's depth.
  await u.send("/pelatihan");
  await h.drain();
  const open = await scrape();
  // (The two who sent /start are in the registration dialogue.)
  expect(value(open, 'aspirasi_dialogues_open{channel="telegram"}')).toBe(value(filed, 'aspirasi_dialogues_open{channel="telegram"}') + 1);
  expect(value(filed, 'aspirasi_dialogues_open{channel="telegram"}')).toBe(2);
  expect(value(open, 'aspirasi_outbox_pending{channel="telegram"}')).toBeLessThan(value(filed, 'aspirasi_outbox_pending{channel="telegram"}'));
});

test("Graph API calls are counted by kind and result: a 500 and a refused media id beside the sends that went through", async () => {
  const graph = new FakeGraphApi("wa-token", "1098765");
  const root = await graph.start();
  try {
    const client = new WhatsAppClient({ accessToken: "wa-token", phoneNumberId: "1098765", apiRoot: root }, countingFetch(fetch, metrics, "whatsapp", graphMethod(root)));
    const series = (method: string, result: string) => `aspirasi_api_calls_total{channel="whatsapp",method="${method}",result="${result}"}`;
    const before = await scrape();
    graph.inbound("6281234500001");
    graph.failNext(1, { status: 500, code: 131000 });
    await expect(client.send("6281234500001", { type: "text", body: "Halo" })).rejects.toThrow();
    await client.send("6281234500001", { type: "text", body: "Halo" });
    await expect(client.mediaInfo("no-such-media")).rejects.toThrow();
    const after = await scrape();
    expect(value(after, series("messages", "5xx")) - value(before, series("messages", "5xx"))).toBe(1);
    expect(value(after, series("messages", "ok")) - value(before, series("messages", "ok"))).toBe(1);
    expect(value(after, series("media_info", "4xx")) - value(before, series("media_info", "4xx"))).toBe(1);
    expect(graph.sent).toHaveLength(1);
  } finally {
    await graph.stop();
  }
});
