/**
 * `BENCH_ONLY=prompts npm run bench`: how long an officer waits for the "write your message" prompt
 * while new cards queue for the officers' group's 20 a minute. Real time, a started dispatcher, a
 * fake Telegram that takes BENCH_GROUP_SEND_MS (300) per group message: BENCH_PROMPT_CARDS (40) new
 * requests are queued at once, and BENCH_PROMPTS (5) prompts are opened one after the other while
 * the cards go out (the first once its card is out). Figures: the wait from opening a prompt to its
 * sendMessage, median and worst, and how many cards went before it.
 */
import { performance } from "node:perf_hooks";
import pino from "pino";
import type { Config } from "../src/config";
import { createDispatcher } from "../src/delivery/dispatcher";
import { createDeliveryApi } from "../src/delivery/api";
import { openPrompt } from "../src/domain/workflow";
import { Request } from "../src/db/models/request";
import { newMember, newRequest } from "../test/helpers/officers";
import type { RequestView } from "../src/domain/requests";
import { BenchTelegram } from "./fake-telegram";

const env = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

export interface PromptFigures {
  /** New requests queued at once. */
  queued: number;
  waitsMs: number[];
  cardsBefore: number[];
  /** Cards sent by the time the last prompt went out. */
  cards: number;
}

const GROUP = -1009876543210;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function promptLatency(config: Config): Promise<PromptFigures> {
  const cardsWanted = env("BENCH_PROMPT_CARDS", 40);
  const prompts = env("BENCH_PROMPTS", 5);
  const sendMs = env("BENCH_GROUP_SEND_MS", 300);
  const tg = new BenchTelegram();
  const promptSentAt = new Map<string, number>();
  let cards = 0;
  const fetch = async (input: unknown, init?: { body?: unknown }) => {
    const payload = typeof init?.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : {};
    if (Number(payload.chat_id) === GROUP) {
      await sleep(sendMs);
      const text = String(payload.text ?? "");
      if (JSON.stringify(payload.reply_markup ?? {}).includes("force_reply")) {
        const code = /<b>([A-Z]{3}-\d{4}-\d{3})<\/b>/.exec(text)?.[1] ?? "";
        promptSentAt.set(code, performance.now());
      } else if (String(input).endsWith("/sendMessage") && JSON.stringify(payload.reply_markup ?? {}).includes("oc:claim:")) cards++;
    }
    return tg.fetch(input, init);
  };
  const cfg = { ...config, officerGroupId: GROUP };
  const dispatcher = createDispatcher(createDeliveryApi(cfg, { fetch: fetch as unknown as typeof globalThis.fetch }), { logger: pino({ level: "silent" }), config: cfg });

  const members = [];
  for (let i = 0; i < 4; i++) members.push(await newMember(7_700_000 + i, { kecamatan: "Mengwi" }));
  const requests: RequestView[] = [];
  for (let i = 0; i < cardsWanted; i++) requests.push(await newRequest(members[i % 4], (["produksi", "kemasan", "pemasaran", "modal", "pelatihan"] as const)[i % 5]));
  dispatcher.start();
  const waitsMs: number[] = [];
  const cardsBefore: number[] = [];
  try {
    for (let k = 0; k < prompts; k++) {
      const r = requests[k];
      // The officer presses on a card that is out.
      while (!(await Request.findById(r.id, { card: 1 }).lean())?.card?.messageId) await sleep(50);
      await sleep(500);
      const openedAt = performance.now();
      const cardsAtOpen = cards;
      const res = await openPrompt(r.id, { telegramId: 9101, role: "officer", name: "Made" }, "message", new Date());
      if (!res.ok) throw new Error(`prompt refused: ${res.reason}`);
      while (!promptSentAt.has(r.code)) await sleep(10);
      waitsMs.push(promptSentAt.get(r.code)! - openedAt);
      cardsBefore.push(cards - cardsAtOpen);
    }
  } finally {
    await dispatcher.stop();
  }
  return { queued: cardsWanted, waitsMs, cardsBefore, cards };
}
