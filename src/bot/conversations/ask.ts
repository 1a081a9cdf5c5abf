/**
 * The step engine every dialogue is written with: send a question, read answers until one is valid,
 * answer every wrong input (wrong media, sticker, overlong text, stale or forged button, command)
 * with a short message and ask again. Nothing here touches the database: dialogues call
 * `conversation.external` for that. The question kinds are in ask-choices.ts and ask-media.ts.
 */
import type { Message, ReplyKeyboardMarkup, InlineKeyboardMarkup, ReplyKeyboardRemove } from "grammy/types";
import type { Dialogue, DialogueContext } from "../context";
import { mainMenuKeyboard } from "../keyboards/main-menu";
import { isDialogueIdle } from "../../domain/dialogue-states";
import { isUndelivered } from "../middlewares/dialogue-sends";
/** Callback data of the "continue" button of the leave-dialogue prompt (see middlewares/dialogue-guard). */
import { STAY_DATA } from "../../telegram/callback-data";
import { checkTyped } from "../../domain/typed-answers";
export { STAY_DATA };

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
  if (isDialogueIdle(before, after)) {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t("dialog.expired"), { reply_markup: mainMenuKeyboard(ctx.t) });
    await conversation.halt();
  }
  const cq = ctx.callbackQuery;
  if (cq) {
    if (cq.data === STAY_DATA) {
      // The leave question itself was edited by the dialogue guard (outside the dialogue).
      await ctx.answerCallbackQuery({ text: ctx.t("dialog.continuing") });
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

export type Verdict<T> =
  | { ok: true; value: T }
  | { ok: false; error: string }
  | { ok: false; resume: true }
  /** The input was taken (a photo counted, an option ticked): keep waiting on the same question. */
  | { ok: false; wait: true; notice?: string };

export type Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;

export interface Question<T> {
  /** Sends the question; returns the message so its buttons can be told apart from older ones. */
  send(ctx: DialogueContext): Promise<Message.TextMessage>;
  /**
   * Judges one input. `error` is the already translated text telling the member what went wrong.
   * `prompt` is undefined while judging an input carried over from the previous step.
   */
  judge(input: Input, prompt: Message.TextMessage | undefined): Promise<Verdict<T>> | Verdict<T>;
}

export type Expected = "text" | "choice" | "photo" | "contact" | "number" | "multi" | "voice";

/** The reply for an input of the wrong kind, for steps that expect `expected`. */
export function wrongInputText(ctx: DialogueContext, input: Input, expected: Expected): string {
  if (input.kind === "callback") return ctx.t("dialog.stale_button");
  if (input.kind === "text" && input.text.startsWith("/")) return ctx.t("dialog.command_mid_dialogue");
  if (input.kind === "other" && input.what === "sticker") return ctx.t(`dialog.sticker_${expected}`);
  return ctx.t(`dialog.expect_${expected}`);
}

/**
 * Asks until `judge` accepts; every refusal is answered and the question is sent again.
 * `pending` is an answer the member already sent while the previous step was still open (e.g. the
 * description typed instead of pressing "Selesai" after photos): it is judged first, without asking.
 */
export async function ask<T>(conversation: Dialogue, ctx: DialogueContext, q: Question<T>, pending?: Input): Promise<T> {
  let prompt = pending ? undefined : await q.send(ctx);
  let input = pending;
  /** Albums already refused here: the rest of one is not answered photo by photo. */
  const refusedAlbums = new Set<string>();
  for (;;) {
    input ??= await nextInput(conversation);
    if (prompt && isUndelivered(prompt) && input.kind !== "resume") {
      // The question never arrived (Telegram failed): whatever this is, it does not answer it. Ask again.
      if (input.kind === "callback") await input.ctx.answerCallbackQuery();
      prompt = await q.send(input.ctx);
      input = undefined;
      continue;
    }
    const verdict = input.kind === "resume" ? ({ ok: false, resume: true } as const) : await q.judge(input, prompt);
    if (verdict.ok) {
      if (input.kind === "callback") await input.ctx.answerCallbackQuery();
      return verdict.value;
    }
    if ("wait" in verdict) {
      if (input.kind === "callback") await input.ctx.answerCallbackQuery(verdict.notice ? { text: verdict.notice } : undefined);
      else if (verdict.notice) await input.ctx.reply(verdict.notice);
      if (prompt) {
        input = undefined;
        continue;
      }
    } else if ("error" in verdict) {
      if (input.kind === "photo" && input.mediaGroupId) {
        if (refusedAlbums.has(input.mediaGroupId)) {
          input = undefined;
          continue;
        }
        refusedAlbums.add(input.mediaGroupId);
      }
      if (input.kind === "callback") await input.ctx.answerCallbackQuery({ text: verdict.error, show_alert: false });
      else await input.ctx.reply(verdict.error);
    }
    prompt = await q.send(input.ctx);
    input = undefined;
  }
}

/**
 * Checks a typed answer (domain/typed-answers.ts, the same check on every channel): not a command,
 * not blank, letters or digits, not longer than `max`; runs of spaces become one, for a single-line
 * answer (a name) line breaks too, so it cannot break a card or a CSV row.
 */
export function checkText(ctx: DialogueContext, text: string, max: number, singleLine = false): { ok: true; value: string } | { ok: false; error: string } {
  return checkTyped(ctx.t, text, max, singleLine);
}
