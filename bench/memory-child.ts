/**
 * The memory phase's process (started by bench/run.ts, compiled to plain JavaScript first, like
 * production's `node dist/main.js`): the real bot (createBot, the same configuration as the
 * benchmark's), members given in BENCH_CHILD_MEMBERS ("first:count", already registered) each answer
 * the first five updates of Kendala produksi, 50 at a time, and the process reports its memory as
 * one JSON line on stdout: before, right after (after a full GC), and after BENCH_CHILD_IDLE_MS
 * idle (full GC again).
 */
import mongoose from "mongoose";
import pino from "pino";
import { loadConfig } from "../src/config";
import { createBot } from "../src/bot";
import { BenchTelegram, BENCH_BOT, BENCH_TOKEN } from "./fake-telegram";
import { PRODUKSI_SCRIPT } from "./script";
import { startIdsAt } from "./updates";

export interface MemoryFigures {
  /** process.memoryUsage() with the bot built and connected, nothing played yet. */
  before: NodeJS.MemoryUsage;
  /** Right after the dialogues were opened (full GC). */
  after: NodeJS.MemoryUsage;
  /** After the idle wait (full GC). */
  idle: NodeJS.MemoryUsage;
  idleMs: number;
  opened: number;
  failed: number;
  firstError?: string;
  node: string;
  execArgv: string[];
  nodeOptions?: string;
}

const STEPS = 5;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

async function main() {
  const gc = global.gc;
  if (typeof gc !== "function") throw new Error("start with --expose-gc");
  const uri = process.env.MONGODB_URI!;
  const [first, count] = (process.env.BENCH_CHILD_MEMBERS ?? "").split(":").map(Number);
  const idleMs = Number(process.env.BENCH_CHILD_IDLE_MS ?? 0);
  // Far from the parent's ids: the bot treats an update id it saw as a re-delivery.
  startIdsAt(1_000_000_000, 1_500_000_000);

  await mongoose.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  const tg = new BenchTelegram();
  const config = loadConfig({ NODE_ENV: "production", BOT_TOKEN: BENCH_TOKEN, MONGODB_URI: uri, LOG_LEVEL: "silent", FLOOD_MAX_MESSAGES: "0" });
  const bot = createBot(config, { logger: pino({ level: "silent" }) }, { botInfo: BENCH_BOT, client: { fetch: tg.fetch as unknown as typeof fetch } });

  gc();
  const before = process.memoryUsage();
  const ids = Array.from({ length: count }, (_, i) => first + i);
  let opened = 0;
  let failed = 0;
  let firstError: string | undefined;
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids.slice(i, i + 50).map(async (id) => {
        try {
          for (let s = 0; s < STEPS; s++) await bot.handleUpdate(PRODUKSI_SCRIPT[s](tg, id));
          opened++;
        } catch (err) {
          failed++;
          firstError ??= String((err as Error)?.message ?? err).slice(0, 300);
        }
      }),
    );
  }
  gc();
  await sleep(100);
  gc();
  const after = process.memoryUsage();
  await sleep(idleMs);
  gc();
  const idle = process.memoryUsage();
  const figures: MemoryFigures = {
    before,
    after,
    idle,
    idleMs,
    opened,
    failed,
    firstError,
    node: process.version,
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS,
  };
  // The bot is held (used) up to here, so the figures are those of a process holding it.
  if (bot.botInfo.id !== BENCH_BOT.id) throw new Error("unexpected bot");
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  await mongoose.disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
