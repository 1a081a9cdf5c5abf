/**
 * The step engine every dialogue is written with: send a question, read answers until one is valid,
 * answer every wrong input (wrong media, sticker, overlong text, stale or forged button, command)
 * with a short message and ask again. Nothing here touches the database: dialogues call
 * `conversation.external` for that.
 */
import type { Message, InlineKeyboardButton, ReplyKeyboardMarkup, InlineKeyboardMarkup, ReplyKeyboardRemove } from "grammy/types";
import type { Dialogue, DialogueContext } from "../context";
import { mainMenuKeyboard } from "../keyboards/main-menu";
import { escapeHtml } from "../../i18n";

/** A dialogue idle for this long is closed; the member's next message is told so. */
export const DIALOGUE_IDLE_MS = 24 * 60 * 60 * 1000;
/** Callback data of the "continue" button of the leave-dialogue prompt (see middlewares/dialogue-guard). */
export const STAY_DATA = "dlg:stay";

export type Input =
  | { kind: "text"; text: string; ctx: DialogueContext }
  | { kind: "callback"; data: string; messageId?: number; ctx: DialogueContext }
  | { kind: "contact"; phone: string; userId?: number; ctx: DialogueContext }
  | { kind: "photo"; fileId: string; fileUniqueId: string; mediaGroupId?: string; caption?: string; ctx: DialogueContext }
  | { kind: "voice"; fileId: string; fileUniqueId: string; duration: number; ctx: DialogueContext }
  | { kind: "resume"; ctx: DialogueContext }
  | { kind: "other"; what: "sticker" | "document" | "media" | "other"; ctx: DialogueContext };

/** Waits for the member's next update in this chat and classifies it. */
export async function nextInput(conversation: Dialogue): Promise<Input> {
  const before = await conversation.now();
  const ctx = await conversation.wait();
  const after = await conversation.now();
  if (after - before > DIALOGUE_IDLE_MS) {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t("dialog.expired"), { reply_markup: mainMenuKeyboard(ctx.t) });
    await conversation.halt();
  }
  const cq = ctx.callbackQuery;
  if (cq) {
    if (cq.data === STAY_DATA) {
      await ctx.answerCallbackQuery({ text: ctx.t("dialog.continuing") });
      if (cq.message) await ctx.editMessageText(ctx.t("dialog.continuing"));
      return { kind: "resume", ctx };
    }
    return { kind: "callback", data: cq.data ?? "", messageId: cq.message?.message_id, ctx };
  }
  const msg = ctx.message;
  if (!msg) {
    // Edited messages, reactions, member updates: not an answer. Let the rest of the bot see them.
    return await conversation.skip({ next: true });
  }
  if (msg.text !== undefined) return { kind: "text", text: msg.text, ctx };
  if (msg.contact) return { kind: "contact", phone: msg.contact.phone_number, userId: msg.contact.user_id, ctx };
  if (msg.photo && msg.photo.length > 0) {
    const best = msg.photo[msg.photo.length - 1];
    return { kind: "photo", fileId: best.file_id, fileUniqueId: best.file_unique_id, mediaGroupId: msg.media_group_id, caption: msg.caption, ctx };
  }
  if (msg.voice) return { kind: "voice", fileId: msg.voice.file_id, fileUniqueId: msg.voice.file_unique_id, duration: msg.voice.duration, ctx };
  if (msg.sticker) return { kind: "other", what: "sticker", ctx };
  if (msg.document) return { kind: "other", what: "document", ctx };
  if (msg.video || msg.audio || msg.animation || msg.video_note) return { kind: "other", what: "media", ctx };
  return { kind: "other", what: "other", ctx };
}

export type Verdict<T> = { ok: true; value: T } | { ok: false; error: string } | { ok: false; resume: true };

type Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;

export interface Question<T> {
  /** Sends the question; returns the message so its buttons can be told apart from older ones. */
  send(ctx: DialogueContext): Promise<Message.TextMessage>;
  /** Judges one input. `error` is the already translated text telling the member what went wrong. */
  judge(input: Input, prompt: Message.TextMessage): Promise<Verdict<T>> | Verdict<T>;
}

/** The reply for an input of the wrong kind, for steps that expect `expected`. */
export function wrongInputText(ctx: DialogueContext, input: Input, expected: "text" | "choice" | "photo" | "contact"): string {
  if (input.kind === "callback") return ctx.t("dialog.stale_button");
  if (input.kind === "text" && input.text.startsWith("/")) return ctx.t("dialog.command_mid_dialogue");
  if (input.kind === "other" && input.what === "sticker") return ctx.t(`dialog.sticker_${expected}`);
  return ctx.t(`dialog.expect_${expected}`);
}

/** Asks until `judge` accepts; every refusal is answered and the question is sent again. */
export async function ask<T>(conversation: Dialogue, ctx: DialogueContext, q: Question<T>): Promise<T> {
  let prompt = await q.send(ctx);
  for (;;) {
    const input = await nextInput(conversation);
    const verdict = input.kind === "resume" ? ({ ok: false, resume: true } as const) : await q.judge(input, prompt);
    if (verdict.ok) {
      if (input.kind === "callback") await input.ctx.answerCallbackQuery();
      return verdict.value;
    }
    if ("error" in verdict) {
      if (input.kind === "callback") await input.ctx.answerCallbackQuery({ text: verdict.error, show_alert: false });
      else await input.ctx.reply(verdict.error);
    }
    prompt = await q.send(input.ctx);
  }
}

/** Checks a typed answer: not a command, not blank, not longer than `max` characters. */
export function checkText(ctx: DialogueContext, text: string, max: number): { ok: true; value: string } | { ok: false; error: string } {
  if (text.startsWith("/")) return { ok: false, error: ctx.t("dialog.command_mid_dialogue") };
  const value = text.trim().replace(/[ \t]+/g, " ");
  if (value.length === 0) return { ok: false, error: ctx.t("dialog.empty_text") };
  if (value.length > max) return { ok: false, error: ctx.t("dialog.too_long", { max, count: value.length }) };
  return { ok: true, value };
}

export interface TextQuestionOptions {
  prompt: string;
  max: number;
  /** Extra buttons under the question (e.g. "use my Telegram name"): data -> value. */
  suggestions?: { label: string; value: string }[];
  reply_markup?: Markup;
}

/** A free-text answer (also accepts the suggestion buttons). */
export function askText(conversation: Dialogue, ctx: DialogueContext, o: TextQuestionOptions): Promise<string> {
  const markup: Markup | undefined = o.suggestions?.length
    ? { inline_keyboard: o.suggestions.map((s, i) => [{ text: s.label, callback_data: `v:${i}` }]) }
    : o.reply_markup;
  return ask(conversation, ctx, {
    send: (c) => c.reply(o.prompt, markup ? { reply_markup: markup } : {}),
    judge: (input, prompt) => {
      if (input.kind === "text") return checkText(input.ctx, input.text, o.max);
      if (input.kind === "callback" && o.suggestions && input.messageId === prompt.message_id) {
        const m = /^v:(\d{1,2})$/.exec(input.data);
        const s = m ? o.suggestions[Number(m[1])] : undefined;
        if (s) return { ok: true, value: s.value };
      }
      return { ok: false, error: wrongInputText(input.ctx, input, "text") };
    },
  });
}

export interface Choice<V extends string> {
  value: V;
  label: string;
}

/** One choice out of a few, as inline buttons; the chosen answer is written under the question. */
export async function askChoice<V extends string>(
  conversation: Dialogue,
  ctx: DialogueContext,
  o: { prompt: string; choices: Choice<V>[]; columns?: number },
): Promise<V> {
  const columns = o.columns ?? 1;
  const rows: InlineKeyboardButton[][] = [];
  o.choices.forEach((c, i) => {
    if (i % columns === 0) rows.push([]);
    rows[rows.length - 1].push({ text: c.label, callback_data: `c:${i}` });
  });
  let answered: { prompt: Message.TextMessage; label: string; ctx: DialogueContext } | undefined;
  const value = await ask(conversation, ctx, {
    send: (c) => c.reply(o.prompt, { reply_markup: { inline_keyboard: rows } }),
    judge: (input, prompt) => {
      if (input.kind === "callback" && input.messageId === prompt.message_id) {
        const m = /^c:(\d{1,2})$/.exec(input.data);
        const choice = m ? o.choices[Number(m[1])] : undefined;
        if (choice) {
          answered = { prompt, label: choice.label, ctx: input.ctx };
          return { ok: true, value: choice.value };
        }
      }
      if (input.kind === "text" && !input.text.startsWith("/")) {
        // A member may type the label instead of tapping it.
        const typed = input.text.trim().toLowerCase();
        const choice = o.choices.find((c) => c.label.toLowerCase() === typed || c.value.toLowerCase() === typed);
        if (choice) return { ok: true, value: choice.value };
        return { ok: false, error: input.ctx.t("dialog.expect_choice") };
      }
      return { ok: false, error: wrongInputText(input.ctx, input, "choice") };
    },
  });
  if (answered) {
    // Keep the chat readable: the question shows the answer and loses its buttons.
    await answered.ctx.api.editMessageText(answered.prompt.chat.id, answered.prompt.message_id, `${o.prompt}\n\n✅ <b>${escapeHtml(answered.label)}</b>`);
  }
  return value;
}
