/**
 * `BENCH_ONLY=programs npm run bench` (and a phase of the full run): a program for BENCH_PROGRAM_MEMBERS
 * (1,000) members of a sentra. Figures: the time to queue its announcement and the database
 * commands that took, the send rate the dispatcher held (the most sends in any second, against
 * Telegram's ~30), the time to send them all, resident memory before and after, database commands
 * per registration (Daftar), and the last-seat race: 20 registrations at once for one seat.
 */
import { performance } from "node:perf_hooks";
import pino from "pino";
import { env } from "./env";
import { Types } from "mongoose";
import type { Config } from "../src/config";
import { createDispatcher } from "../src/delivery/dispatcher";
import { createDeliveryApi } from "../src/delivery/api";
import { createProgram, type ProgramInput } from "../src/domain/programs";
import { announceProgram } from "../src/domain/program-notices";
import { joinProgram } from "../src/domain/program-actions";
import { participants } from "../src/domain/program-seats";
import { Member } from "../src/db/models/member";
import { findMemberCached } from "../src/domain/members";
import { Outbox } from "../src/db/models/outbox";
import { BenchTelegram } from "./fake-telegram";

export interface ProgramFigures {
  members: number;
  queueMs: number;
  queueCommands: number;
  sendSeconds: number;
  maxPerSecond: number;
  sent: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  commandsPerRegistration: number;
  race: { seated: number; waiting: number[]; inOrder: boolean };
}

const FIRST = 8_800_000;

export async function programsPhase(config: Config, sentraId: string, commands: () => number): Promise<ProgramFigures> {
  const count = env("BENCH_PROGRAM_MEMBERS", 1000);
  const now = new Date();
  await Member.insertMany(
    Array.from({ length: count }, (_, i) => ({
      telegramId: FIRST + i,
      name: `Peserta ${i}`,
      phone: `+62819${String(i).padStart(7, "0")}`,
      businessName: "UD Bench",
      products: "keripik",
      kecamatan: "Mengwi",
      sentraId: new Types.ObjectId(sentraId),
      registeredAt: now,
      consentAt: now,
    })),
  );
  const input: ProgramInput = {
    title: "Pelatihan desain kemasan (bench)",
    kind: "pelatihan",
    audience: { all: false, sentraIds: [sentraId], kecamatan: [], requestTypes: [] },
    sessions: [{ startsAt: new Date(now.getTime() + 10 * 86_400_000) }],
    place: "Aula Diskop UKMP",
    seats: 25,
    deadline: new Date(now.getTime() + 7 * 86_400_000),
    requires: [],
    allowIncomplete: false,
  };
  const program = await createProgram(input, 9101, now);
  const rssBefore = process.memoryUsage().rss;
  const before = commands();
  const t0 = performance.now();
  await announceProgram(program.id, now);
  const queueMs = performance.now() - t0;
  const queueCommands = commands() - before;

  // Sent by the dispatcher to a Telegram that answers at once: the rate is the bot's own pacing.
  const tg = new BenchTelegram();
  const sentAt: number[] = [];
  const fetch = async (input: unknown, init?: { body?: unknown }) => {
    if (String(input).endsWith("/sendMessage")) sentAt.push(performance.now());
    return tg.fetch(input, init);
  };
  const dispatcher = createDispatcher(createDeliveryApi(config, { fetch: fetch as unknown as typeof globalThis.fetch }), { logger: pino({ level: "silent" }), config });
  const s0 = performance.now();
  for (let i = 0; i < 200 && (await Outbox.countDocuments({ kind: "program", status: "pending" })) > 0; i++) await dispatcher.drain(20);
  const sendSeconds = (performance.now() - s0) / 1000;
  let maxPerSecond = 0;
  for (let i = 0, j = 0; i < sentAt.length; i++) {
    while (sentAt[i] - sentAt[j] >= 1_000) j++;
    maxPerSecond = Math.max(maxPerSecond, i - j + 1);
  }
  const rssAfter = process.memoryUsage().rss;

  // Daftar, one member at a time: commands each. The member's record is in memory already, as after
  // the update that carries the tap (every update reads it first: bot/middlewares/context-setup.ts).
  // The program's first registration in a process looks up its last slot once more (then it is known): left out.
  const regs = 20;
  for (let i = 0; i < regs; i++) await findMemberCached(FIRST + i);
  await joinProgram(program.id, FIRST, new Date());
  const r0 = commands();
  for (let i = 1; i < regs; i++) await joinProgram(program.id, FIRST + i, new Date());
  const commandsPerRegistration = (commands() - r0) / (regs - 1);

  // The last seat: 24 taken, then 20 at once.
  for (let i = regs; i < 24; i++) await joinProgram(program.id, FIRST + i, new Date());
  const racers = Array.from({ length: 20 }, (_, i) => FIRST + 100 + i);
  const results = await Promise.all(racers.map((id) => joinProgram(program.id, id, new Date())));
  const list = await participants(program.id, program.seats);
  const seated = results.filter((r) => r.kind === "registered" && r.place.kind === "seat").length;
  const waiting = results.flatMap((r) => (r.kind === "registered" && r.place.kind === "waiting" ? [r.place.position] : [])).sort((a, b) => a - b);
  const inOrder = list.every((x, i) => i === 0 || x.k > list[i - 1].k) && list.filter((x) => x.place.kind === "seat").length === program.seats;
  return {
    members: count,
    queueMs,
    queueCommands,
    sendSeconds,
    maxPerSecond,
    sent: sentAt.length,
    rssBeforeMb: rssBefore / 1024 / 1024,
    rssAfterMb: rssAfter / 1024 / 1024,
    commandsPerRegistration,
    race: { seated, waiting, inOrder },
  };
}
