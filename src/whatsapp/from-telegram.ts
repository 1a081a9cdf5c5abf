/**
 * An outbox message as written for Telegram (src/telegram/outbox-messages.ts: the one definition of
 * every member message) read back as the channel-neutral output WhatsApp renders (render.ts): the
 * text or caption, the buttons as choices (their callback data become the reply ids, which the
 * WhatsApp channel reads with the same patterns, telegram/callback-data.ts), a link button as a line
 * of text, and the photo or voice note the message carries (its Telegram file id).
 */
import type { MachineOutput } from "../domain/request-machine";

export interface TelegramCall {
  method: string;
  payload: Record<string, unknown>;
}

export interface FromTelegram {
  out: MachineOutput;
  media?: { kind: "photo" | "voice"; fileId: string };
}

type Button = { text?: unknown; callback_data?: unknown; url?: unknown };

export function fromTelegramCall(call: TelegramCall): FromTelegram | null {
  const p = call.payload;
  const text = typeof p.text === "string" ? p.text : typeof p.caption === "string" ? p.caption : "";
  const markup = p.reply_markup as { inline_keyboard?: Button[][] } | undefined;
  const buttons = (markup?.inline_keyboard ?? []).flat();
  const links = buttons.filter((b) => typeof b.url === "string").map((b) => `${String(b.text ?? "")}: ${String(b.url)}`);
  const choices = buttons.filter((b) => typeof b.callback_data === "string").map((b) => ({ id: String(b.callback_data), label: String(b.text ?? "") }));
  const body = [text, ...links].filter(Boolean).join("\n\n");
  const media =
    call.method === "sendPhoto" && typeof p.photo === "string"
      ? { kind: "photo" as const, fileId: p.photo }
      : call.method === "sendVoice" && typeof p.voice === "string"
        ? { kind: "voice" as const, fileId: p.voice }
        : undefined;
  if (!body && !media) return null;
  return { out: { text: body, ...(choices.length ? { choices } : {}) }, ...(media ? { media } : {}) };
}
