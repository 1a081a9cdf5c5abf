/**
 * `npm run bench:multi`: throughput of 1, 2 and 3 bot processes in webhook mode with
 * MULTI_PROCESS=true on one database (MONGODB_URI, a throwaway database whose name contains "bench";
 * each run uses that name plus the process count, dropped before and after). A fake Telegram posts each
 * update to the next process in turn, and a chat's next update only after the previous was answered.
 * BENCH_MP_MEMBERS (40) members file a Pelatihan request at once (5 updates each: /pelatihan, topic,
 * scope, Lewati, Kirim), each answering as soon as the previous answer was handled. Every update has
 * BENCH_UPDATE_TIMEOUT_MS (10,000) to finish; failures and timeouts are counted, not waited for.
 * The bots run as real processes (tsx, LOG_LEVEL=debug: the fake learns from the log that an update
 * was handled), so the figures are for comparing N, not the absolute figures of `npm run bench`.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import mongoose from "mongoose";
import { syncIndexes } from "../src/db";
import { registerMember } from "../src/domain/members";
import { listSentras, seedSentras } from "../src/domain/sentras";
import { tFor } from "../src/i18n";
import { FakeBotApiServer } from "../test/helpers/fake-bot-api-server";
import { freePort, startBot, type BotProcess } from "../test/helpers/bot-process";
import type { TestUser } from "../test/helpers/harness";

const env = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const MEMBERS = env("BENCH_MP_MEMBERS", 40);
const UPDATE_TIMEOUT_MS = env("BENCH_UPDATE_TIMEOUT_MS", 10_000);
const t = tFor("id");
const PATH = "/telegram/bench";
const SECRET = "bench_Secret-1";

function baseUri(): { server: string; name: string; query: string } {
  const uri = process.env.MONGODB_URI ?? "";
  const m = /^(mongodb(?:\+srv)?:\/\/[^/]+)\/([^?]*)(\?.*)?$/.exec(uri);
  if (!m || !/bench/i.test(m[2])) {
    console.error(`Set MONGODB_URI to a throwaway database whose name contains "bench" (got "${uri || "(none)"}").`);
    process.exit(1);
  }
  return { server: m[1], name: m[2], query: m[3] ?? "" };
}

async function run(processes: number): Promise<{ perSecond: number; updates: number; failed: number; timedOut: number; seconds: number }> {
  const base = baseUri();
  const name = `${base.name}_mp${processes}`;
  await mongoose.connect(`${base.server}/${name}${base.query}`, { serverSelectionTimeoutMS: 10_000 });
  await mongoose.connection.dropDatabase();
  await syncIndexes();
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  const sentraId = (await listSentras("Mengwi"))[0].id;
  const ids = Array.from({ length: MEMBERS }, (_, i) => 6_000_000 + i);
  for (const id of ids) {
    await registerMember(
      id,
      { name: `Anggota ${id}`, phone: "+6281234567890", businessName: "UD Bench", products: "kue", kecamatan: "Mengwi", sentraId, sentraWish: null },
      new Date(),
      "id",
    );
  }
  const api = new FakeBotApiServer();
  await api.start();
  const bots: BotProcess[] = [];
  try {
    process.env.MONGODB_TEST_URI = `${base.server}/${base.query}`;
    const targets = [];
    for (let i = 0; i < processes; i++) {
      const port = await freePort();
      bots.push(
        await startBot({ apiRoot: api.url, db: name, env: { MULTI_PROCESS: "true", WEBHOOK_URL: `https://localhost${PATH}`, WEBHOOK_SECRET: SECRET, PORT: String(port) } }),
      );
      targets.push({ port, path: PATH, secret: SECRET });
    }
    api.isProcessed = (id) => bots.some((b) => b.handled(id));
    api.processTimeoutMs = UPDATE_TIMEOUT_MS;
    api.webhooks = { targets, duplicateRate: 0, rng: Math.random };
    const users: TestUser[] = ids.map((id) => api.user(id));
    let updates = 0;
    let failed = 0;
    let timedOut = 0;
    const moves: ((u: TestUser) => Promise<unknown>)[] = [
      (u) => u.send("/pelatihan"),
      (u) => u.press(t("request.opt.topik_kemasan")),
      (u) => u.press(t("request.opt.sendiri")),
      (u) => u.press(t("dialog.skip")),
      (u) => u.press(t("request.send")),
    ];
    const t0 = performance.now();
    await Promise.all(
      users.map(async (u) => {
        for (const move of moves) {
          try {
            await move(u);
            updates++;
          } catch (err) {
            if (/not processed within/.test(String(err))) timedOut++;
            else failed++;
            return; // out of step: this member stops
          }
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return { perSecond: updates / seconds, updates, failed, timedOut, seconds };
  } finally {
    await Promise.all(bots.map((b) => b.ensureStopped()));
    await api.stop();
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await mongoose.disconnect();
  }
}

async function main() {
  process.stdout.write(`\n== Several processes (webhook, MULTI_PROCESS=true): ${MEMBERS} members at once, 5 updates each\n`);
  process.stdout.write(`  ${"machine".padEnd(30)} ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, load ${os.loadavg()[0].toFixed(2)}\n`);
  for (const n of [1, 2, 3]) {
    const r = await run(n);
    process.stdout.write(
      `  ${`${n} process${n > 1 ? "es" : ""}`.padEnd(30)} ${r.perSecond.toFixed(1)} updates/s (${r.updates} updates in ${r.seconds.toFixed(1)} s; failed ${r.failed}, timed out ${r.timedOut})\n`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
