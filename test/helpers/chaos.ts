/**
 * What the chaos tests (test/chaos/*.chaos.ts) share: officers taking and reviewing every request in
 * the group by its card's buttons, and the count of what was filed and shown (codes lost, requests
 * and cards doubled).
 */
import type { Chat } from "grammy/types";
import type { FakeBotApiServer } from "./fake-bot-api-server";
import type { BotProcess } from "./bot-process";
import { Request } from "../../src/db/models/request";
import { tFor } from "../../src/i18n";

const t = tFor("id");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function buttonLabels(m: Record<string, unknown> | undefined): string[] {
  return ((m?.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined)?.inline_keyboard ?? []).flat().map((b) => b.text);
}

/** The newest message the bot has in this chat (as edited since). */
export function lastMessageIn(api: FakeBotApiServer, chatId: number): Record<string, unknown> | undefined {
  let best: Record<string, unknown> | undefined;
  for (const m of api.telegram.messages.values()) {
    if ((m.chat as Chat).id !== chatId) continue;
    if (!best || (m.message_id as number) > (best.message_id as number)) best = m;
  }
  return best;
}

/** Whether a message has a button with this label (or one that contains it). */
export function hasButton(m: Record<string, unknown> | undefined, label: string): boolean {
  return buttonLabels(m).some((b) => b === label || b.includes(label));
}

/**
 * A chaos run's state its members' and officers' loops look at: `over` once the test ended (passed,
 * failed or timed out), so no loop of one test goes on pressing and polling into the next.
 */
export interface ChaosRun {
  over: boolean;
}

/**
 * What the bot process said at warn level and above, by message (most frequent first), and how it
 * ended: printed when a chaos run fails or runs out of time, so a CI log shows where it stuck.
 */
export function botLogSummary(bot: BotProcess | undefined): string {
  if (!bot) return "no bot process";
  const counts = new Map<string, number>();
  for (const l of bot.logs) if (l.level >= 40) counts.set(String(l.msg), (counts.get(String(l.msg)) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12);
  // The errors' own messages (first of each), so a failed run says why.
  const causes = new Map<string, string>();
  for (const l of bot.logs) {
    const err = (l as { err?: { message?: string; type?: string } }).err;
    if (l.level >= 50 && err?.message && !causes.has(`${l.msg}: ${err.message}`)) causes.set(`${l.msg}: ${err.message}`, String(err.type ?? ""));
  }
  return [
    `bot log: ${bot.logs.length} lines, ${[...counts.values()].reduce((x, y) => x + y, 0)} at warn or above`,
    ...top.map(([msg, n]) => `  ${n} × ${msg}`),
    ...[...causes].slice(0, 8).map(([what, type]) => `  error: ${what.slice(0, 300)}${type ? ` (${type})` : ""}`),
    ...(bot.stderr ? [`stderr (last 800 characters): ${bot.stderr.slice(-800)}`] : []),
  ].join("\n");
}

/**
 * Two (or more) officers take and start reviewing every request, each pressing again until the card
 * shows it (patient as an officer is: the group gets 20 messages a minute, so a card may change late).
 * Returns, per request, whether it reached *ditelaah*.
 */
export async function officersReviewAll(
  api: FakeBotApiServer,
  group: number,
  officerIds: number[],
  patienceMs: number,
  run: ChaosRun = { over: false },
): Promise<{ requestId: string; ok: boolean }[]> {
  const chat = { id: group, type: "supergroup", title: "Petugas Diskop" } as Chat;
  const officers = officerIds.map((id, i) => api.user(id, { first_name: `Petugas${i + 1}` }, chat));
  const acts = async (officer: (typeof officers)[number], requestId: string): Promise<boolean> => {
    const until = Date.now() + patienceMs;
    while (Date.now() < until && !run.over) {
      const r = await Request.findById(requestId).lean();
      if (!r?.card?.messageId) {
        await sleep(1_000);
        continue;
      }
      if (r.status === "ditelaah") return true;
      const label = r.assigneeTelegramId === null ? t("officer.btn.claim") : t("officer.btn.review");
      const card = api.telegram.messages.get(`${group}:${r.card.messageId}`);
      if (!hasButton(card, label)) {
        await sleep(500);
        continue;
      }
      await officer.press(label, { messageId: r.card.messageId as number }).catch(() => undefined);
    }
    return false;
  };
  const requests = await Request.find({}, { _id: 1 }).lean();
  return Promise.all(requests.map(async (r, i) => ({ requestId: String(r._id), ok: await acts(officers[i % officers.length], String(r._id)) })));
}

/** How many cards (a message with the officers' buttons) the group got for a request's code. */
export function cardsSent(api: FakeBotApiServer, group: number, code: string): number {
  return api.telegram.calls.filter(
    (c) =>
      !c.failed &&
      c.method === "sendMessage" &&
      Number(c.payload.chat_id) === group &&
      String(c.payload.text).includes(code) &&
      JSON.stringify(c.payload.reply_markup ?? {}).includes("oc:"),
  ).length;
}

/** Codes members saw that are no request, and members with more than one request. */
export async function filedCounts(codesSeen: string[]) {
  const all = await Request.find().lean();
  const lostCodes = codesSeen.filter((c) => !all.some((r) => r.code === c));
  const perMember = new Map<number, number>();
  for (const r of all) perMember.set(r.memberTelegramId, (perMember.get(r.memberTelegramId) ?? 0) + 1);
  return { all, lostCodes, doubledRequests: [...perMember.values()].filter((n) => n > 1).length };
}
