/**
 * `npm run bench`: simulated members fill in Kendala produksi through the real middleware stack
 * (createBot with a fake client.fetch: no network), against MONGODB_URI (a throwaway database whose
 * name contains "bench"; it is dropped before and after) or, without it, an embedded MongoDB.
 * Measured in one run, on one database:
 *   - database round trips per dialogue step and per idle update (driver command monitoring);
 *   - resident memory with BENCH_OPEN_DIALOGUES (1,000) dialogues open, in a child process running the
 *     bot compiled to JavaScript (bench/memory-child.ts): right after opening them, and after
 *     BENCH_MEMORY_IDLE_MS (10,000) idle;
 *   - closed loop: BENCH_MEMBERS (200) members at once, each answering as soon as the bot has
 *     handled the previous answer: updates per second, ours and the baseline's (bare grammY +
 *     conversations, same storage kind, same dialogue shape), BENCH_REPEATS times, medians;
 *   - open loop: BENCH_RATE (100) updates per second offered for BENCH_SECONDS (20): latency per
 *     update (from the moment it was due), p50 / p95 / p99, ours and the baseline's;
 *   - recap pictures: a month of BENCH_CHART_REQUESTS (2,000) requests, all its pictures rendered in
 *     a child process running the compiled code: time and extra RSS (BENCH_ONLY=charts: this alone).
 * Flood control is off (FLOOD_MAX_MESSAGES=0): simulated members answer faster than any person.
 * Every simulated update has BENCH_UPDATE_TIMEOUT_MS (10,000) to finish: one that takes longer is
 * counted as timed out (its member stops) and the run goes on, so the bench never hangs on a server
 * that stops answering.
 */
import os from "node:os";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import * as esbuild from "esbuild";
import { performance } from "node:perf_hooks";
import mongoose from "mongoose";
import pino from "pino";
import type { Update } from "grammy/types";
import { loadConfig, type Config } from "../src/config";
import { createBot } from "../src/bot";
import { syncIndexes } from "../src/db";
import { registerMember } from "../src/domain/members";
import { seedSentras, listSentras } from "../src/domain/sentras";
import { ensureProcessedUpdateIndex } from "../src/domain/processed-updates";
import { BenchTelegram, BENCH_BOT, BENCH_TOKEN } from "./fake-telegram";
import { createBaselineBot, BASELINE_SCRIPT, dropBaselineData } from "./baseline";
import { PRODUKSI_SCRIPT, BENCH_PRODUCTS, type Move } from "./script";
import { textUpdate } from "./updates";
import { tFor } from "../src/i18n";
import type { MemoryFigures } from "./memory-child";
import type { ChartsFigures } from "./charts-child";
import { createRequest } from "../src/domain/requests";
import { Request } from "../src/db/models/request";
import { REQUEST_TYPES } from "../src/vocabulary/request-types";
import { STATUSES } from "../src/vocabulary/statuses";
import { KECAMATAN } from "../src/vocabulary/kecamatan";
import { shiftMonth, witaMonth, witaMonthRange } from "../src/lib/time";
import { whatsappPhase } from "./whatsapp";
import { programsPhase } from "./programs";
import { promptLatency } from "./prompt-latency";

const env = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const MEMBERS = env("BENCH_MEMBERS", 200);
const RATE = env("BENCH_RATE", 100);
const SECONDS = env("BENCH_SECONDS", 20);
const OPEN_DIALOGUES = env("BENCH_OPEN_DIALOGUES", 1000);
const REPEATS = env("BENCH_REPEATS", 3);
const OPEN_LOOP_POOL = Math.max(400, RATE * 4);
const UPDATE_TIMEOUT_MS = env("BENCH_UPDATE_TIMEOUT_MS", 10_000);
/** BENCH_ONLY=charts runs the recap pictures' phase alone; BENCH_ONLY=prompts the prompt waits (bench/prompt-latency.ts). */
const ONLY = (process.env.BENCH_ONLY ?? "").trim().toLowerCase();
if (ONLY && !["charts", "prompts", "whatsapp", "programs"].includes(ONLY)) {
  console.error(`BENCH_ONLY: only "charts", "prompts", "whatsapp" or "programs" can be run alone (got "${ONLY}").`);
  process.exit(1);
}
/** BENCH_QUICK=1: only the per-update figures (round trips, writes, bytes per state); no memory, no loops. */
const QUICK = process.env.BENCH_QUICK === "1";

interface Handler {
  handleUpdate(u: Update): Promise<void>;
}

/** Database commands seen by the driver (round trips), with their time; writes among them. */
const TRACE = process.env.BENCH_TRACE;
const db = { commands: 0, writes: 0, ms: 0, byKind: new Map<string, { n: number; ms: number }>(), paused: false };
const WRITE_COMMANDS = new Set(["insert", "update", "delete", "findAndModify"]);

/** A duration; "—" when there is none (e.g. a percentile of no finished update). */
const ms = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "—" : `${x.toFixed(1)} ms`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / Math.max(1, xs.length);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

function section(title: string) {
  process.stdout.write(`\n== ${title}\n`);
}
function line(label: string, value: string) {
  process.stdout.write(`  ${label.padEnd(46)} ${value}\n`);
}

async function connect(): Promise<{ uri: string; stop: () => Promise<void> }> {
  let uri = process.env.MONGODB_URI;
  let stop = async () => {};
  if (!uri) {
    const { MongoMemoryServer } = await import("mongodb-memory-server");
    const server = await MongoMemoryServer.create();
    uri = server.getUri("aspirasi_bench");
    stop = async () => void (await server.stop());
  } else {
    const name = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]*)/.exec(uri)?.[1] ?? "";
    if (!/bench/i.test(name)) {
      console.error(`The benchmark drops its database: set MONGODB_URI to a throwaway database whose name contains "bench" (got "${name || "(none)"}").`);
      process.exit(1);
    }
  }
  await mongoose.connect(uri, { monitorCommands: true, serverSelectionTimeoutMS: 10_000 });
  const client = mongoose.connection.getClient();
  const started = new Map<number, string>();
  client.on("commandStarted", (e) => {
    if (db.paused) return;
    db.commands++;
    if (WRITE_COMMANDS.has(e.commandName)) db.writes++;
    const coll = typeof e.command[e.commandName] === "string" ? e.command[e.commandName] : "";
    started.set(e.requestId, `${e.commandName} ${coll}`.trim());
    // BENCH_TRACE=find:members (command:collection): each such command's filter, to stderr.
    if (TRACE === `${e.commandName}:${coll}`) console.error(JSON.stringify(e.command.filter ?? e.command.query ?? e.command.updates ?? {}).slice(0, 300));
  });
  const done = (e: { requestId: number; duration: number }) => {
    if (!started.has(e.requestId)) return;
    db.ms += e.duration;
    const kind = started.get(e.requestId) ?? "?";
    started.delete(e.requestId);
    const k = db.byKind.get(kind) ?? { n: 0, ms: 0 };
    k.n++;
    k.ms += e.duration;
    db.byKind.set(kind, k);
  };
  client.on("commandSucceeded", done);
  client.on("commandFailed", done);
  return { uri, stop };
}

let nextMemberId = 5_000_000;
let sentraId = "";

/** Registered members (written straight to the database, as after onboarding). */
async function members(count: number): Promise<number[]> {
  const ids = Array.from({ length: count }, () => nextMemberId++);
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(
      ids
        .slice(i, i + 50)
        .map((id) =>
          registerMember(
            id,
            { name: `Anggota ${id}`, phone: "+6281234567890", businessName: "UD Bench", products: BENCH_PRODUCTS, kecamatan: "Mengwi", sentraId, sentraWish: null },
            new Date(),
            "id",
          ),
        ),
    );
  }
  return ids;
}

/** Updates that failed (the database refused, e.g. FerretDB's "database is locked"), with a sample error; and those that timed out. */
const failures = { count: 0, sample: "", timedOut: 0 };

class UpdateTimeout extends Error {}

/**
 * Updates that outlived their time limit and are still being handled (they cannot be cancelled):
 * waited for between phases (`settle`), so one phase's leftovers do not load the database of the next.
 */
const abandoned = new Set<Promise<unknown>>();
const SETTLE_LIMIT_MS = env("BENCH_SETTLE_LIMIT_MS", 120_000);
const settled = { ms: 0, left: 0 };

/** One update through the bot, within UPDATE_TIMEOUT_MS (the update itself may still finish later). */
function handleWithin(bot: Handler, u: Update): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const work = bot.handleUpdate(u);
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const rest = work.catch(() => undefined);
      abandoned.add(rest);
      void rest.finally(() => abandoned.delete(rest));
      reject(new UpdateTimeout(`update not handled within ${UPDATE_TIMEOUT_MS} ms`));
    }, UPDATE_TIMEOUT_MS);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/**
 * Each closed-loop run starts both bots with the same stored dialogues: none. The baseline's are
 * dropped after each run (dropBaselineData); ours left over (the memory phase's 1,000, and members
 * whose update timed out) would otherwise weigh on every later run — on FerretDB/SQLite each state
 * read and write scans the collection, so 1,000 extra states cost ours, and only ours, dearly.
 */
async function dropOpenDialogues(): Promise<void> {
  await mongoose.connection.db!.collection("conversationstates").deleteMany({});
}

/** Waits, at most SETTLE_LIMIT_MS, until the timed-out updates of the phase before have finished. */
async function settle(): Promise<void> {
  if (abandoned.size === 0) return;
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all([...abandoned]), new Promise((r) => (timer = setTimeout(r, SETTLE_LIMIT_MS)))]);
  clearTimeout(timer);
  settled.ms += performance.now() - t0;
  settled.left = Math.max(settled.left, abandoned.size);
}

function failed(err: unknown) {
  if (err instanceof UpdateTimeout) {
    failures.timedOut++;
    return;
  }
  failures.count++;
  if (!failures.sample) failures.sample = String((err as { error?: Error })?.error?.message ?? (err as Error)?.message ?? err).slice(0, 300);
}

/** Runs moves [from, to) of a script for one member, one after the other; returns how many were handled. */
async function play(bot: Handler, tg: BenchTelegram, script: Move[], id: number, from = 0, to = script.length): Promise<number> {
  for (let i = from; i < to; i++) {
    try {
      await handleWithin(bot, script[i](tg, id));
    } catch (err) {
      // The member's dialogue is out of step now: this member stops.
      failed(err);
      return i - from;
    }
  }
  return to - from;
}

/** Round trips (and writes among them) of each update, one member, nothing else running. */
async function roundTripsPerUpdate(
  bot: Handler,
  tg: BenchTelegram,
  updates: (() => Update)[],
  writes: number[] = [],
  /** Runs after each update, outside the counts (e.g. measuring the stored state). */
  after?: () => Promise<void>,
): Promise<number[]> {
  const out: number[] = [];
  for (const make of updates) {
    const before = db.commands;
    const writesBefore = db.writes;
    await bot.handleUpdate(make());
    out.push(db.commands - before);
    writes.push(db.writes - writesBefore);
    await after?.();
  }
  return out;
}

/** The stored size (BSON bytes) of a chat's dialogue-state document, 0 without one. */
async function stateBytes(collection: string, key: string): Promise<number> {
  // Not counted: the benchmark's own read.
  db.paused = true;
  try {
    const doc = await mongoose.connection.db!.collection<{ _id: string }>(collection).findOne({ _id: key });
    return doc ? mongoose.mongo.BSON.calculateObjectSize(doc) : 0;
  } finally {
    db.paused = false;
  }
}

async function roundTrips(ours: Handler, baseline: Handler, tg: BenchTelegram) {
  section("Database round trips (one member at a time; commands counted by the driver)");
  const t = tFor("id");
  const [a] = await members(1);
  const [cold] = await roundTripsPerUpdate(ours, tg, [() => textUpdate(a, "halo")]);
  await roundTripsPerUpdate(ours, tg, [() => textUpdate(a, "/bantuan")]); // warms the settings cache (office contact)
  const idleKinds = new Map([...db.byKind].map(([k, v]) => [k, v.n]));
  const idleWrites: number[] = [];
  const idle = await roundTripsPerUpdate(ours, tg, [() => textUpdate(a, "halo"), () => textUpdate(a, "/bantuan"), () => textUpdate(a, t("menu.help"))], idleWrites);
  const idleByKind = [...db.byKind].map(([k, v]) => [k, v.n - (idleKinds.get(k) ?? 0)] as const).filter(([, n]) => n > 0);
  const before = db.commands;
  const kinds = new Map([...db.byKind].map(([k, v]) => [k, v.n]));
  const stepWrites: number[] = [];
  const bytes: number[] = [];
  const steps = await roundTripsPerUpdate(
    ours,
    tg,
    PRODUKSI_SCRIPT.map((move) => () => move(tg, a)),
    stepWrites,
    async () => void bytes.push(await stateBytes("conversationstates", String(a))),
  );
  const perKind = [...db.byKind]
    .map(([k, v]) => [k, v.n - (kinds.get(k) ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((x, y) => y[1] - x[1]);
  const total = db.commands - before;
  const questionSteps = steps.slice(0, -1);
  line("ours: idle update, first of the member (cold)", `${cold}`);
  // A free text is not idle since members' free messages find their open requests (one read by design).
  line("ours: idle update, warm (free text / /bantuan / menu)", `${idle.join(" / ")}; writes ${idleWrites.join(" / ")}`);
  line("ours: commands of those three, by kind", idleByKind.map(([k, n]) => `${k}×${n}`).join(", "));
  line("ours: Kendala produksi, per update", steps.join(" "));
  line("ours: writes among them, per update", stepWrites.join(" "));
  line("ours: stored state after each update (bytes)", bytes.join(" "));
  line("ours: dialogue steps before Kirim: mean / max", `${(questionSteps.reduce((x, y) => x + y, 0) / questionSteps.length).toFixed(2)} / ${Math.max(...questionSteps)}`);
  line("ours: the Kirim step (saves request, queues alert)", `${steps.at(-1)}`);
  line("ours: whole dialogue: total / per update", `${total} / ${(total / steps.length).toFixed(2)}`);
  line("ours: commands in the dialogue, by kind", perKind.map(([k, n]) => `${k}×${n}`).join(", "));
  const b = nextMemberId++;
  const bIdleWrites: number[] = [];
  const bIdle = await roundTripsPerUpdate(baseline, tg, [() => textUpdate(b, "halo"), () => textUpdate(b, "halo")], bIdleWrites);
  const bWrites: number[] = [];
  const bBytes: number[] = [];
  const bSteps = await roundTripsPerUpdate(
    baseline,
    tg,
    BASELINE_SCRIPT.map((move) => () => move(tg, b)),
    bWrites,
    async () => void bBytes.push(await stateBytes("bench_baseline_states", String(b))),
  );
  line("baseline: idle update", `${bIdle.join(" / ")}; writes ${bIdleWrites.join(" / ")}`);
  line("baseline: dialogue, per update", bSteps.join(" "));
  line("baseline: writes among them, per update", bWrites.join(" "));
  line("baseline: stored state after each update (bytes)", bBytes.join(" "));
  const bTotal = bSteps.reduce((x, y) => x + y, 0);
  line("baseline: whole dialogue: total / per update", `${bTotal} / ${(bTotal / bSteps.length).toFixed(2)}`);
  const open = bytes.slice(0, -1);
  line("ours / baseline: mean bytes per open dialogue's state", `${mean(open).toFixed(0)} / ${mean(bBytes.slice(0, -1)).toFixed(0)}`);
  return {
    idleWarm: Math.max(...idle.slice(1)),
    freeText: idle[0],
    idleWrites: Math.max(...idleWrites),
    stepWrites: Math.max(...stepWrites.slice(0, -1)),
    stepMean: questionSteps.reduce((x, y) => x + y, 0) / questionSteps.length,
    stepMax: Math.max(...questionSteps),
    perUpdate: total / steps.length,
  };
}

/**
 * The bot's own process, not this one: this process also holds tsx (TypeScript compiled on load), the
 * baseline bot, the fake Telegram and the earlier phases' garbage. The dialogues are opened in a child
 * process running the real bot compiled to plain JavaScript (bench/memory-child.ts bundled by esbuild,
 * node_modules required as in production), against the same database; its RSS is the figure.
 */
async function memory(uri: string) {
  section(`Resident memory with ${OPEN_DIALOGUES} open dialogues`);
  const ids = await members(OPEN_DIALOGUES);
  const figures = await runMemoryChild(uri, ids[0], ids.length);
  if (figures.failed > 0) {
    failures.count += figures.failed;
    failures.sample ||= figures.firstError ?? "";
  }
  const open = await mongoose.connection.db!.collection<{ _id: string }>("conversationstates").countDocuments({ _id: { $in: ids.map(String) } });
  const { before, after, idle } = figures;
  line("measured in", `a child process: node ${figures.execArgv.join(" ")} (compiled bot), ${figures.node}${figures.nodeOptions ? `, NODE_OPTIONS=${figures.nodeOptions}` : ""}`);
  line("dialogues opened / failed; states stored", `${figures.opened} / ${figures.failed}; ${open}`);
  line("RSS before / right after (full GC)", `${mb(before.rss)} / ${mb(after.rss)}`);
  line(`RSS after ${(figures.idleMs / 1000).toFixed(0)} s idle (full GC)`, mb(idle.rss));
  line("heap used / heap total: before, after, idle", [before, after, idle].map((m) => `${mb(m.heapUsed)} / ${mb(m.heapTotal)}`).join(", "));
  line(
    "per open dialogue: heap used / RSS (right after)",
    `${((after.heapUsed - before.heapUsed) / OPEN_DIALOGUES / 1024).toFixed(1)} KB / ${((after.rss - before.rss) / OPEN_DIALOGUES / 1024).toFixed(1)} KB`,
  );
  return { after: after.rss, idle: idle.rss };
}

const MEMORY_IDLE_MS = env("BENCH_MEMORY_IDLE_MS", 10_000);

async function runMemoryChild(uri: string, first: number, count: number): Promise<MemoryFigures> {
  return runCompiledChild<MemoryFigures>("memory-child.ts", { MONGODB_URI: uri, BENCH_CHILD_MEMBERS: `${first}:${count}`, BENCH_CHILD_IDLE_MS: String(MEMORY_IDLE_MS) });
}

/** Runs bench/<entry> compiled to plain JavaScript in a child process; its last stdout line is the JSON result. */
async function runCompiledChild<T>(entry: string, childEnv: Record<string, string>): Promise<T> {
  const repo = path.resolve(__dirname, "..");
  // In dist/, as production's build: src/i18n.ts finds locales/ next to it the same way.
  const outfile = path.join(repo, "dist", `bench-${path.basename(entry, ".ts")}-${process.pid}.js`);
  await esbuild.build({
    entryPoints: [path.join(__dirname, entry)],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    packages: "external",
    logLevel: "error",
  });
  try {
    const child = spawn(process.execPath, ["--expose-gc", outfile], {
      cwd: repo,
      env: { ...process.env, ...childEnv },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    if (code !== 0) throw new Error(`${entry} exited with ${code}`);
    return JSON.parse(out.trim().split("\n").at(-1)!) as T;
  } finally {
    fs.rmSync(outfile, { force: true });
  }
}

const CHART_REQUESTS = env("BENCH_CHART_REQUESTS", 2000);
/** Requests in each of the five months before (the trend picture reads them). */
const CHART_EARLIER = env("BENCH_CHART_EARLIER", 200);

/**
 * A month of BENCH_CHART_REQUESTS (2,000) requests across twelve sentras (and none), every type,
 * status and kecamatan, and the recap's pictures of that month
 * rendered in a child process running the compiled code (cold, then warm), with its RSS sampled.
 */
async function charts(uri: string) {
  const month = shiftMonth(witaMonth(new Date()), -1);
  section(`Recap pictures: ${CHART_REQUESTS} requests in ${month}, ${CHART_EARLIER} in each of the five months before`);
  await seedSentras(KECAMATAN.flatMap((k, i) => [0, 1].map((j) => ({ slug: `bench-${i}-${j}`, name: `Sentra IKM Bench ${k} ${j + 1}`, kecamatan: k }))));
  const sentras = await listSentras();
  const people = await Promise.all(
    Array.from({ length: 120 }, (_, i) => {
      const s = i % 7 === 0 ? null : sentras[i % sentras.length];
      return registerMember(
        nextMemberId++,
        {
          name: `Anggota ${i}`,
          phone: "+6281234567890",
          businessName: "UD Bench",
          products: BENCH_PRODUCTS,
          kecamatan: s?.kecamatan ?? KECAMATAN[i % KECAMATAN.length],
          sentraId: s?.id ?? null,
          sentraWish: null,
        },
        new Date(),
        "id",
      );
    }),
  );
  const jobs: { month: string; i: number }[] = [
    ...Array.from({ length: CHART_REQUESTS }, (_, i) => ({ month, i })),
    ...[1, 2, 3, 4, 5].flatMap((back) => Array.from({ length: CHART_EARLIER }, (_, i) => ({ month: shiftMonth(month, -back), i }))),
  ];
  const t0 = performance.now();
  // One request of each type through the domain (code, timeline, counters); the rest are copies of
  // those with their own code, member, sentra, status and time, written 500 at a time (storing is
  // not what is measured here).
  const templates = await Promise.all(
    REQUEST_TYPES.map(async (type) => {
      const r = await createRequest({
        sla: SLA_DEFAULTS,
        type,
        member: { id: people[0].id, telegramId: people[0].telegramId, sentraId: people[0].sentraId, kecamatan: people[0].kecamatan! },
        answers: { description: "Keluhan", product: "keripik" },
        attachments: [],
        sourceKey: `bench-chart-template-${type}`,
        now: new Date(),
      });
      return (await Request.collection.findOne({ _id: new mongoose.Types.ObjectId(r.id) }))!;
    }),
  );
  await Request.collection.deleteMany({ _id: { $in: templates.map((d) => d._id) } });
  const docs = jobs.map(({ month: m, i }, k) => {
    const { start, end } = witaMonthRange(m);
    const n = m === month ? CHART_REQUESTS : CHART_EARLIER;
    const at = new Date(start.getTime() + Math.floor(((end.getTime() - start.getTime()) * (i + 0.5)) / n));
    const who = people[(i * 7 + k) % people.length];
    const template = templates[i % templates.length];
    return {
      ...template,
      _id: new mongoose.Types.ObjectId(),
      code: `BENCH-${m}-${i}`,
      sourceKey: `bench-chart-${m}-${i}`,
      answers: { description: `Keluhan nomor ${i}`, product: "keripik" },
      memberId: new mongoose.Types.ObjectId(who.id),
      memberTelegramId: who.telegramId,
      sentraId: who.sentraId ? new mongoose.Types.ObjectId(who.sentraId) : null,
      kecamatan: who.kecamatan,
      status: STATUSES[(i * 5 + 3) % STATUSES.length],
      timeline: (template.timeline as { at: Date }[]).map((e) => ({ ...e, at })),
      createdAt: at,
      updatedAt: at,
    };
  });
  for (let k = 0; k < docs.length; k += 500) await Request.collection.insertMany(docs.slice(k, k + 500));
  line("stored", `${jobs.length} requests in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const f = await runCompiledChild<ChartsFigures>("charts-child.ts", { MONGODB_URI: uri, BENCH_CHILD_MONTH: month, BENCH_CHILD_REPEATS: String(REPEATS) });
  line("measured in", `a child process running the compiled code, ${f.node}`);
  line("requests in the month; pictures; PNG bytes", `${f.requests}; ${f.pictures}; ${(f.pngBytes / 1024).toFixed(0)} KB`);
  line("all pictures, first in the process (libraries load)", ms(f.coldMs));
  line(`all pictures, warm (${f.warmMs.length} runs): median / max`, `${ms(median(f.warmMs))} / ${ms(Math.max(...f.warmMs))}`);
  line("  of which reading the figures: first / warm median", `${ms(f.coldDataMs)} / ${ms(median(f.warmDataMs))}`);
  line("  of which drawing the pictures: first / warm median", `${ms(f.coldRenderMs)} / ${ms(median(f.warmRenderMs))}`);
  line("RSS before; peak first / warm; after (full GC)", `${mb(f.rssBefore)}; ${mb(f.rssPeakCold)} / ${mb(f.rssPeakWarm)}; ${mb(f.rssAfter)}`);
  line("extra RSS while rendering: first / warm", `${mb(f.rssPeakCold - f.rssBefore)} / ${mb(f.rssPeakWarm - f.rssBefore)}`);
  line("workbook: rows, size, time, peak RSS", `${f.workbookRows}, ${(f.workbookBytes / 1024).toFixed(0)} KB, ${ms(f.workbookMs)}, ${mb(f.rssPeakWorkbook)}`);
  // Its requests go again: the phases after it (WhatsApp, compared with the closed loop above) see
  // the database the closed loop saw.
  for (let k = 0; k < docs.length; k += 500) await Request.collection.deleteMany({ _id: { $in: docs.slice(k, k + 500).map((d) => d._id) } });
  return f;
}

/** All members at once, each answering as soon as its previous update was handled. */
async function closedLoop(bot: Handler, tg: BenchTelegram, script: Move[], ids: number[]) {
  const commands = db.commands;
  const failedBefore = failures.count;
  const timedOutBefore = failures.timedOut;
  const t0 = performance.now();
  const handled = await Promise.all(ids.map((id) => play(bot, tg, script, id)));
  const seconds = (performance.now() - t0) / 1000;
  const updates = handled.reduce((x, y) => x + y, 0);
  return { perSecond: updates / seconds, roundTrips: (db.commands - commands) / updates, failed: failures.count - failedBefore, timedOut: failures.timedOut - timedOutBefore };
}

/** Updates offered at a fixed rate across a pool of members; latency counted from when each was due. */
async function openLoop(bot: Handler, tg: BenchTelegram, script: Move[], ids: number[]) {
  const interval = 1000 / RATE;
  const total = Math.round(RATE * SECONDS);
  const position = new Map(ids.map((id) => [id, 0]));
  const idle = [...ids];
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let starved = 0;
  const failedBefore = failures.count;
  const timedOutBefore = failures.timedOut;
  const dbBefore = { n: db.commands, ms: db.ms };
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const id = idle.shift();
    if (id === undefined) {
      starved++;
      continue;
    }
    const step = position.get(id)!;
    const p = (async () => handleWithin(bot, script[step](tg, id)))().then(
      () => {
        latencies.push(performance.now() - due);
        position.set(id, (step + 1) % script.length);
        idle.push(id);
      },
      // Out of step after a failure: this member leaves the pool.
      (err) => failed(err),
    );
    void p.finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  const elapsed = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  return {
    p50: pct(latencies, 50),
    p95: pct(latencies, 95),
    p99: pct(latencies, 99),
    max: latencies.at(-1)!,
    count: latencies.length,
    starved,
    failed: failures.count - failedBefore,
    timedOut: failures.timedOut - timedOutBefore,
    offeredPerSecond: latencies.length / (elapsed / 1000),
    dbShare: (db.ms - dbBefore.ms) / latencies.reduce((x, y) => x + y, 0),
    roundTrips: (db.commands - dbBefore.n) / latencies.length,
  };
}

async function main() {
  section("Machine");
  const cpus = os.cpus();
  line("CPU", `${cpus.length} × ${cpus[0]?.model ?? "?"}`);
  line(
    "memory",
    `${mb(os.totalmem())} total, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  line("Node", `${process.version} on ${os.platform()} ${os.release()}`);

  const { uri, stop } = await connect();
  const info = await mongoose.connection.db!.admin().command({ buildInfo: 1 });
  section("Database server");
  line("URI", uri.replace(/\/\/[^@]*@/, "//***@"));
  line(
    "build info",
    `version ${info.version}${info.ferretdbVersion ? `, FerretDB ${info.ferretdbVersion}` : ""}${info.gitVersion ? `, git ${String(info.gitVersion).slice(0, 12)}` : ""}`,
  );
  await mongoose.connection.dropDatabase();
  await syncIndexes();
  await ensureProcessedUpdateIndex();
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  sentraId = (await listSentras("Mengwi"))[0].id;

  if (ONLY === "charts") {
    const f = await charts(uri);
    section("Targets");
    chartTargets(f);
    await finish(stop);
    return;
  }

  const tg = new BenchTelegram();
  const config = loadConfig({
    NODE_ENV: "production",
    BOT_TOKEN: BENCH_TOKEN,
    MONGODB_URI: uri,
    LOG_LEVEL: "silent",
    FLOOD_MAX_MESSAGES: "0",
    MULTI_PROCESS: process.env.MULTI_PROCESS ?? "false",
  });
  if (ONLY === "prompts") {
    const f = await promptLatency(config);
    section(`Officer prompts while ${f.queued} new cards queue for the group (20 a minute; ${f.cards} out by the last prompt)`);
    line("wait from opening a prompt to its send: median / max", `${ms(median(f.waitsMs))} / ${ms(Math.max(...f.waitsMs))} (${f.waitsMs.length} prompts)`);
    line("cards sent between opening a prompt and its send", f.cardsBefore.join(", "));
    section("Targets");
    line("prompt within 3 s", `${ms(Math.max(...f.waitsMs))} worst — ${Math.max(...f.waitsMs) <= 3000 ? "met" : "MISSED"}`);
    await finish(stop);
    return;
  }
  if (ONLY === "whatsapp") {
    await whatsappSection(config);
    await finish(stop);
    return;
  }
  if (ONLY === "programs") {
    await programsSection(config);
    await finish(stop);
    return;
  }
  const ours = createBot(config, { logger: pino({ level: "silent" }) }, { botInfo: BENCH_BOT, client: { fetch: tg.fetch as unknown as typeof fetch } });
  const baseline = createBaselineBot(tg);

  const rt = await roundTrips(ours, baseline, tg);
  const check = (ok: boolean) => (ok ? "met" : "MISSED");
  const writeTargets = () => {
    line("<= 1 write per dialogue step (before Kirim)", `max ${rt.stepWrites} — ${check(rt.stepWrites <= 1)}`);
    line("no write for an idle update", `max ${rt.idleWrites} — ${check(rt.idleWrites === 0)}`);
  };
  if (QUICK) {
    section("Targets (BENCH_QUICK: per-update figures only)");
    writeTargets();
    await mongoose.connection.dropDatabase();
    await mongoose.disconnect();
    await stop();
    return;
  }
  // BENCH_SKIP_MEMORY=1: no memory phase (it opens 1,000 dialogues, slow on FerretDB/SQLite).
  const rss = process.env.BENCH_SKIP_MEMORY === "1" ? null : await memory(uri);
  await dropOpenDialogues();

  section(`Closed loop: ${MEMBERS} members at once, ${PRODUKSI_SCRIPT.length} updates each, ${REPEATS} runs each, alternating`);
  const oursRuns: number[] = [];
  const baseRuns: number[] = [];
  let oursRt = 0;
  for (let r = 0; r < REPEATS; r++) {
    const ids = await members(MEMBERS);
    const a = await closedLoop(ours, tg, PRODUKSI_SCRIPT, ids);
    await settle();
    const b = await closedLoop(
      baseline,
      tg,
      BASELINE_SCRIPT,
      Array.from({ length: MEMBERS }, () => nextMemberId++),
    );
    oursRuns.push(a.perSecond);
    baseRuns.push(b.perSecond);
    oursRt = a.roundTrips;
    line(
      `run ${r + 1}: ours / baseline`,
      `${a.perSecond.toFixed(0)} / ${b.perSecond.toFixed(0)} updates/s (round trips per update ${a.roundTrips.toFixed(2)} / ${b.roundTrips.toFixed(2)}; failed updates ${a.failed} / ${b.failed}; timed out ${a.timedOut} / ${b.timedOut})`,
    );
    await settle();
    await dropBaselineData();
    await dropOpenDialogues();
  }
  const ratio = median(oursRuns) / median(baseRuns);
  line("median: ours / baseline", `${median(oursRuns).toFixed(0)} / ${median(baseRuns).toFixed(0)} updates/s`);
  line("ours as a fraction of the baseline", `${(ratio * 100).toFixed(0)} %`);

  section(`Open loop: ${RATE} updates/s for ${SECONDS} s across ${OPEN_LOOP_POOL} members`);
  const pool = await members(OPEN_LOOP_POOL);
  const dbKindsBefore = new Map([...db.byKind].map(([k, v]) => [k, { ...v }]));
  const open = await openLoop(ours, tg, PRODUKSI_SCRIPT, pool);
  await settle();
  line("ours: p50 / p95 / p99 / max", `${ms(open.p50)} / ${ms(open.p95)} / ${ms(open.p99)} / ${ms(open.max)}`);
  line(
    "ours: updates, achieved rate, no member free, failed, timed out",
    `${open.count}, ${open.offeredPerSecond.toFixed(0)}/s, ${open.starved}, ${open.failed}, ${open.timedOut}`,
  );
  line("ours: round trips per update; DB share of time", `${open.roundTrips.toFixed(2)}; ${(open.dbShare * 100).toFixed(0)} %`);
  const kinds = [...db.byKind]
    .map(([k, v]) => ({ k, n: v.n - (dbKindsBefore.get(k)?.n ?? 0), ms: v.ms - (dbKindsBefore.get(k)?.ms ?? 0) }))
    .filter((x) => x.n > 0)
    .sort((x, y) => y.ms - x.ms)
    .slice(0, 8);
  line("ours: DB time by command (count, mean)", "");
  for (const k of kinds) line(`    ${k.k}`, `${k.n} × ${ms(k.ms / k.n)} = ${(k.ms / 1000).toFixed(1)} s`);
  const openBase = await openLoop(
    baseline,
    tg,
    BASELINE_SCRIPT,
    Array.from({ length: OPEN_LOOP_POOL }, () => nextMemberId++),
  );
  await settle();
  line("baseline: p50 / p95 / p99 / max", `${ms(openBase.p50)} / ${ms(openBase.p95)} / ${ms(openBase.p99)} / ${ms(openBase.max)}`);
  line("baseline: round trips per update; DB share", `${openBase.roundTrips.toFixed(2)}; ${(openBase.dbShare * 100).toFixed(0)} %`);
  line("baseline: updates, achieved rate, failed, timed out", `${openBase.count}, ${openBase.offeredPerSecond.toFixed(0)}/s, ${openBase.failed}, ${openBase.timedOut}`);

  const chartFigures = await charts(uri);
  await whatsappSection(config, median(oursRuns));
  await programsSection(config);

  if (failures.count > 0 || failures.timedOut > 0) {
    section("Failed updates");
    line("failed (all phases)", `${failures.count}`);
    line(`timed out after ${UPDATE_TIMEOUT_MS} ms (all phases)`, `${failures.timedOut}`);
    line(
      "waited between phases for timed-out updates to finish",
      `${(settled.ms / 1000).toFixed(1)} s${settled.left ? `; ${settled.left} still running after ${SETTLE_LIMIT_MS / 1000} s` : ""}`,
    );
    if (failures.sample) line("first error", failures.sample);
  }

  section("Targets");
  line("throughput >= 50 % of the baseline", `${(ratio * 100).toFixed(0)} % — ${check(ratio >= 0.5)}`);
  line("open-loop p99 <= 15 ms", `${ms(open.p99)} — ${check(open.p99 <= 15)}`);
  line(
    "<= 2 round trips per dialogue step",
    `mean ${rt.stepMean.toFixed(2)}, max ${rt.stepMax} (before Kirim); ${rt.perUpdate.toFixed(2)} with Kirim; closed loop ${oursRt.toFixed(2)} — ${check(rt.stepMean <= 2)}`,
  );
  line("<= 1 round trip per idle update (/bantuan, menu)", `${rt.idleWarm}; a free text ${rt.freeText} (looks up open requests) — ${check(rt.idleWarm <= 1)}`);
  writeTargets();
  if (rss) line(`<= 150 MB with ${OPEN_DIALOGUES} open dialogues (bot's process)`, `${mb(rss.after)} right after, ${mb(rss.idle)} idle — ${check(rss.after <= 150 * 1024 * 1024)}`);
  chartTargets(chartFigures);
  await finish(stop);
}

const check = (ok: boolean) => (ok ? "met" : "MISSED");

async function programsSection(config: Config) {
  const f = await programsPhase(config, sentraId, () => db.commands);
  section(`Programs: one announced to ${f.members} members of a sentra, then Daftar`);
  line("announcement queued", `${ms(f.queueMs)}, ${f.queueCommands} database commands`);
  line("sent by the dispatcher", `${f.sent} in ${f.sendSeconds.toFixed(1)} s; at most ${f.maxPerSecond} in any second`);
  line("resident memory before / after", `${f.rssBeforeMb.toFixed(0)} MB / ${f.rssAfterMb.toFixed(0)} MB`);
  line("database commands per registration (Daftar)", f.commandsPerRegistration.toFixed(2));
  line("20 at once for the last seat", `${f.race.seated} seated; waiting ${f.race.waiting.join(",")}; slots in order ${f.race.inOrder}`);
  section("Targets (programs)");
  line("send rate within Telegram's ~30 a second", `${f.maxPerSecond} — ${check(f.maxPerSecond <= 30)}`);
  line("<= 2 round trips per registration", `${f.commandsPerRegistration.toFixed(2)} — ${check(f.commandsPerRegistration <= 2)}`);
  line(
    "last seat: exactly one, 19 waiting in order",
    `${check(f.race.seated === 1 && f.race.waiting.join(",") === Array.from({ length: 19 }, (_, i) => i + 1).join(",") && f.race.inOrder)}`,
  );
}

/** `telegramPerSecond`: the Telegram closed loop's median in the same run (the full run), for the ratio target. */
async function whatsappSection(config: Config, telegramPerSecond?: number) {
  const f = await whatsappPhase(
    config,
    sentraId,
    () => db.commands,
    () => new Map([...db.byKind].map(([k, v]) => [k, { ...v }])),
  );
  const sorted = [...f.latenciesMs].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  section(`WhatsApp: ${f.members} linked members file Pelatihan at once (6 messages each), webhook → inbox → worker → reply`);
  line("dialogue steps per second", `${f.perSecond.toFixed(0)} (${f.steps} steps, ${f.requests} requests filed)`);
  line("webhook POST to the reply's send: p50 / p99", `${ms(pct(50))} / ${ms(pct(99))}`);
  line("  by message (median / slowest)", f.stepMedians.map((m, i) => `${m.toFixed(0)}/${f.stepMax[i].toFixed(0)}`).join("  ") + " ms");
  line("database commands per step (store, take, member, session, sends' bookkeeping)", f.commandsPerStep.toFixed(1));
  line("  of which, per step", f.byKind.map(([k, n]) => `${k} ${n.toFixed(2)}`).join(", "));
  line("  server time by command while all were at it (the slowest, summed)", f.msByKind.map(([k, t]) => `${k} ${ms(t)}`).join(", "));
  const questions = f.aloneSteps.slice(0, -1);
  const aloneMean = questions.reduce((x, y) => x + y, 0) / questions.length;
  line("one warm member alone, commands per step", `${f.aloneSteps.join(" ")} (the last is Kirim); then ${f.aloneFlush} to mark them all done`);
  line(
    "<= 2 round trips per dialogue step (as on Telegram)",
    `mean ${aloneMean.toFixed(2)}, max ${Math.max(...questions)} before Kirim; with the done marks ${((questions.reduce((x, y) => x + y, 0) + f.aloneFlush) / questions.length).toFixed(2)} — ${check(aloneMean <= 2)}`,
  );
  if (telegramPerSecond) {
    const ratio = f.perSecond / telegramPerSecond;
    line(
      "WhatsApp steps/s >= 80 % of Telegram's closed loop",
      `${f.perSecond.toFixed(0)} / ${telegramPerSecond.toFixed(0)} = ${(ratio * 100).toFixed(0)} % — ${check(ratio >= 0.8)}`,
    );
  }
  // A phase that filed nothing measured something else (a changed dialogue): said, and the run fails.
  if (f.requests !== f.members) {
    line("every member's request filed", `${f.requests} of ${f.members} — MISSED: the figures above do not measure the dialogue`);
    process.exitCode = 1;
  }
}

function chartTargets(f: ChartsFigures) {
  const extra = f.rssPeakCold - f.rssBefore;
  line(`recap pictures of ${f.requests} requests < 2 s`, `${ms(f.coldMs)} first, ${ms(median(f.warmMs))} warm — ${check(f.coldMs < 2000)}`);
  line(
    "recap pictures: < 100 MB extra RSS",
    `${mb(extra)} the first time (libraries loaded on the way), ${mb(f.rssPeakWarm - f.rssBefore)} at most after ${f.warmMs.length} more — ${check(extra < 100 * 1024 * 1024)}`,
  );
}

async function finish(stop: () => Promise<void>) {
  await mongoose.connection.dropDatabase();
  await mongoose.disconnect();
  await stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
