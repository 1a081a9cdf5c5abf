/**
 * Inside dialogues, a sent or edited message comes back trimmed to its ids (middlewares/trim-results)
 * and that trimmed result is what the conversations plugin records in the stored replay state.
 */
import type { ApiResponse } from "grammy/types";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, BOT_INFO } from "./helpers/harness";
import { registeredMember } from "./helpers/requests";
import { trimDialogueResults } from "../src/bot/middlewares/trim-results";
import { ConversationState } from "../src/db/models/conversation-state";
import { tFor } from "../src/i18n";

useTestDatabase();
const t = tFor("id");

const full = (id: number) => ({
  message_id: id,
  date: 1_700_000_000,
  chat: { id: 42, type: "private", first_name: "Anggota" },
  from: { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name, username: BOT_INFO.username },
  text: "Kendala apa?",
  reply_markup: { inline_keyboard: [[{ text: "A", callback_data: "c:0" }]] },
});

async function through(result: unknown, ok = true) {
  const res = (ok ? { ok: true, result } : { ok: false, error_code: 400, description: "Bad Request" }) as ApiResponse<unknown>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const out = await trimDialogueResults((async () => res) as any, "sendMessage", { chat_id: 42, text: "x" });
  return { res, out };
}

describe("the transformer", () => {
  test("a message keeps its id, date and chat id/type only, in the very response object", async () => {
    const { res, out } = await through(full(7));
    expect(out).toBe(res);
    expect(out).toEqual({ ok: true, result: { message_id: 7, date: 1_700_000_000, chat: { id: 42, type: "private" } } });
  });

  test("a media group's messages are trimmed each; other results and errors are left alone", async () => {
    expect((await through([full(1), full(2)])).out).toEqual({ ok: true, result: [1, 2].map((id) => ({ message_id: id, date: 1_700_000_000, chat: { id: 42, type: "private" } })) });
    expect((await through(true)).out).toEqual({ ok: true, result: true });
    expect((await through({ message_id: 9 })).out).toEqual({ ok: true, result: { message_id: 9 } });
    expect((await through(undefined, false)).out).toEqual({ ok: false, error_code: 400, description: "Bad Request" });
  });

  test("trimming an already trimmed result (a replay) changes nothing", async () => {
    const once = (await through(full(3))).out as { result: unknown };
    expect((await through(once.result)).out).toEqual(once);
  });
});

test("the stored replay state records trimmed Bot API results, and the dialogue goes on from it", async () => {
  await clearDatabase();
  const h = new Harness();
  const u = h.user(7300);
  await registeredMember(u.id);
  await u.send(t("request.menu.produksi"));
  await u.press(t("request.opt.bahan_baku"));

  const data = (await ConversationState.findById(String(u.id)).lean())!.data;
  const results: unknown[] = [];
  JSON.parse(data, (_key, value) => {
    if (value && typeof value === "object" && value.ok === true && value.res?.ok === true) results.push(value.res.result);
    return value;
  });
  const messages = results.filter((r): r is Record<string, unknown> => typeof r === "object" && r !== null);
  // The intro, the first question, its edit after the answer, the next question.
  expect(messages.length).toBeGreaterThanOrEqual(3);
  for (const m of messages) expect(Object.keys(m).sort()).toEqual(["chat", "date", "message_id"]);
  // (The incoming updates are stored whole: a callback query's message still has the keyboard.)

  // A new instance replays the trimmed state: the product question's recorded id is what its
  // button is checked against and what the answered question's edit goes to.
  h.restart();
  const button = u.findButton("kue potong")!;
  const calls = await u.press("kue potong");
  const edit = calls.find((c) => c.method === "editMessageText");
  expect(edit?.payload).toMatchObject({ chat_id: u.id, message_id: button.messageId });
  expect(String(edit?.payload.text)).toContain("kue potong");
  expect(calls.some((c) => c.method === "sendMessage")).toBe(true);
  expect(await ConversationState.countDocuments({ _id: String(u.id) })).toBe(1);
});
