/**
 * A lean stand-in for Telegram for the benchmark (client.fetch): answers every Bot API call at once
 * like Telegram would, counts calls, and keeps only the last few messages per chat (what a member
 * needs to find the button to press). Nothing is recorded beyond that, so memory stays flat.
 */
import type { UserFromGetMe } from "grammy/types";
import { BOT_INFO } from "../test/helpers/harness";

export const BENCH_TOKEN = "123456789:BENCH_TOKEN_abcdefghijklmnopqrstuvwxyz";
/** The tests' bot identity (the same getMe answer), under the benchmark's username. */
export const BENCH_BOT: UserFromGetMe = { ...BOT_INFO, username: "aspirasi_ikm_bench_bot" };

interface Button {
  text: string;
  callback_data?: string;
}
export interface SentMessage {
  message_id: number;
  text: string;
  buttons: Button[];
  /** The inline keyboard as sent (rows of buttons), for the message a button press carries. */
  keyboard?: Button[][];
}

const KEEP_PER_CHAT = 6;

export class BenchTelegram {
  calls = 0;
  private nextId = 1;
  private chats = new Map<number, SentMessage[]>();

  fetch = async (input: unknown, init?: { body?: unknown }): Promise<Response> => {
    this.calls++;
    const url = String(input);
    const method = url.slice(url.lastIndexOf("/") + 1);
    const payload = typeof init?.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : {};
    return new Response(JSON.stringify({ ok: true, result: this.answer(method, payload) }), { status: 200, headers: { "content-type": "application/json" } });
  };

  private remember(chatId: number, m: SentMessage) {
    let list = this.chats.get(chatId);
    if (!list) this.chats.set(chatId, (list = []));
    const i = list.findIndex((x) => x.message_id === m.message_id);
    if (i >= 0) list.splice(i, 1);
    list.push(m);
    if (list.length > KEEP_PER_CHAT) list.shift();
  }

  private answer(method: string, p: Record<string, unknown>): unknown {
    const chatId = Number(p.chat_id);
    const keyboard = (p.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard;
    const buttons = (keyboard ?? []).flat();
    const message = (id: number, extra: Record<string, unknown> = {}) => ({
      message_id: id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: chatId > 0 ? "private" : "supergroup", ...(chatId > 0 ? { first_name: "Anggota" } : { title: "Petugas" }) },
      from: { id: BENCH_BOT.id, is_bot: true, first_name: BENCH_BOT.first_name, username: BENCH_BOT.username },
      ...(buttons.length ? { reply_markup: p.reply_markup } : {}),
      ...extra,
    });
    switch (method) {
      case "getMe":
        return BENCH_BOT;
      case "sendMessage":
      case "sendPhoto":
      case "sendVoice": {
        const id = this.nextId++;
        this.remember(chatId, { message_id: id, text: String(p.text ?? p.caption ?? ""), buttons, keyboard });
        return message(id, { text: p.text, caption: p.caption });
      }
      case "editMessageText": {
        const id = Number(p.message_id);
        this.remember(chatId, { message_id: id, text: String(p.text), buttons, keyboard });
        return message(id, { text: p.text, edit_date: Math.floor(Date.now() / 1000) });
      }
      default:
        return true;
    }
  }

  /** The newest button in the chat whose label is (or contains) `label`, with the message it is on. */
  button(chatId: number, label: string): { data: string; messageId: number; message: SentMessage } {
    const list = this.chats.get(chatId) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const b = list[i].buttons.find((x) => (x.text === label || x.text.includes(label)) && x.callback_data);
      if (b) return { data: b.callback_data!, messageId: list[i].message_id, message: list[i] };
    }
    throw new Error(`no button "${label}" in chat ${chatId}; last: ${list.at(-1)?.text.slice(0, 200)}`);
  }

  lastText(chatId: number): string {
    return this.chats.get(chatId)?.at(-1)?.text ?? "";
  }

  forget(chatId: number) {
    this.chats.delete(chatId);
  }
}
