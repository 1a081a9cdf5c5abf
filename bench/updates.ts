/** Telegram updates as a member's phone sends them (private chat). */
import type { Update } from "grammy/types";

let updateId = 1;
let messageId = 1_000_000;

/** Another process driving the same database starts its ids elsewhere (the bot skips an update id it saw). */
export function startIdsAt(update: number, message: number) {
  updateId = update;
  messageId = message;
}

function base(userId: number) {
  return {
    message_id: messageId++,
    date: Math.floor(Date.now() / 1000),
    chat: { id: userId, type: "private" as const, first_name: "Anggota" },
    from: { id: userId, is_bot: false, first_name: "Anggota", language_code: "id" },
  };
}

export function textUpdate(userId: number, text: string): Update {
  const m = /^\/\S+/.exec(text);
  return { update_id: updateId++, message: { ...base(userId), text, ...(m ? { entities: [{ type: "bot_command", offset: 0, length: m[0].length }] } : {}) } } as Update;
}

export function photoUpdate(userId: number, fileId: string): Update {
  return {
    update_id: updateId++,
    message: {
      ...base(userId),
      photo: [
        { file_id: `${fileId}-s`, file_unique_id: `${fileId}-su`, width: 90, height: 90 },
        { file_id: fileId, file_unique_id: `${fileId}-u`, width: 800, height: 800 },
      ],
    },
  } as Update;
}

/**
 * A button press. Like Telegram, it carries the message the button is on (its text and keyboard)
 * when `on` is given.
 */
export function callbackUpdate(userId: number, data: string, messageId: number, on?: { text: string; keyboard?: unknown[][] }): Update {
  return {
    update_id: updateId++,
    callback_query: {
      id: `cq${updateId}`,
      from: { id: userId, is_bot: false, first_name: "Anggota", language_code: "id" },
      chat_instance: `ci${userId}`,
      data,
      message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: userId, type: "private", first_name: "Anggota" },
        from: { id: 123456789, is_bot: true, first_name: "Aspirasi IKM Badung", username: "aspirasi_ikm_bench_bot" },
        text: on?.text ?? "",
        ...(on?.keyboard ? { reply_markup: { inline_keyboard: on.keyboard } } : {}),
      },
    },
  } as Update;
}
