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
import { isDialogueIdle } from "../../domain/dialogue-states";
import { isUndelivered } from "../middlewares/dialogue-sends";
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

type Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;

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
 * Invisible format characters (zero-width space, direction marks, BOM …) are dropped: a name made
 * of them would show blank on a card. The zero-width joiner stays: it holds emoji sequences together.
 */
function withoutInvisible(text: string): string {
  return text.replace(/(?!\u200d)\p{Cf}/gu, "");
}

/**
 * Checks a typed answer: not a command, not blank, not longer than `max` characters. Runs of spaces
 * become one; for a single-line answer (a name) line breaks too, so it cannot break a card or a CSV row.
 */
export function checkText(
  ctx: DialogueContext,
  text: string,
  max: number,
  singleLine = false,
): { ok: true; value: string } | { ok: false; error: string } {
  if (text.startsWith("/")) return { ok: false, error: ctx.t("dialog.command_mid_dialogue") };
  const value = withoutInvisible(text).trim().replace(singleLine ? /\s+/g : /[ \t]+/g, " ");
  if (value.replace(/\u200d/g, "").trim().length === 0) return { ok: false, error: ctx.t("dialog.empty_text") };
  // "-", "..." or emoji alone: nothing an officer can read on a card or in the export.
  if (!/[\p{L}\p{N}]/u.test(value)) return { ok: false, error: ctx.t("dialog.no_letters") };
  if (value.length > max) return { ok: false, error: ctx.t("dialog.too_long", { max, count: value.length }) };
  return { ok: true, value };
}

export interface TextQuestionOptions {
  prompt: string;
  max: number;
  /** Extra buttons under the question (e.g. "use my Telegram name"): data -> value. */
  suggestions?: { label: string; value: string }[];
  reply_markup?: Markup;
  pending?: Input;
  /** Line breaks are kept (a list, a description); otherwise the answer is one line. */
  multiline?: boolean;
}

/** A free-text answer, one line unless `multiline` (also accepts the suggestion buttons). */
export function askText(conversation: Dialogue, ctx: DialogueContext, o: TextQuestionOptions): Promise<string> {
  const markup: Markup | undefined = o.suggestions?.length
    ? { inline_keyboard: o.suggestions.map((s, i) => [{ text: s.label, callback_data: `v:${i}` }]) }
    : o.reply_markup;
  return ask(conversation, ctx, {
    send: (c) => c.reply(o.prompt, markup ? { reply_markup: markup } : {}),
    judge: (input, prompt) => {
      if (input.kind === "text") {
        // A suggestion typed instead of pressed ("lewati" for the "Lewati" button) is that suggestion.
        const typed = plain(input.text);
        const suggested = typed ? o.suggestions?.find((s) => plain(s.label) === typed) : undefined;
        if (suggested) return { ok: true, value: suggested.value };
        return checkText(input.ctx, input.text, o.max, !o.multiline);
      }
      if (input.kind === "callback" && o.suggestions && input.messageId === prompt?.message_id) {
        const m = /^v:(\d{1,2})$/.exec(input.data);
        const s = m ? o.suggestions[Number(m[1])] : undefined;
        if (s) return { ok: true, value: s.value };
      }
      return { ok: false, error: wrongInputText(input.ctx, input, "text") };
    },
  }, o.pending);
}

export interface Choice<V extends string> {
  value: V;
  label: string;
}

/** Inline-keyboard rows of `columns` buttons each. */
function buttonRows(buttons: InlineKeyboardButton[], columns = 1): InlineKeyboardButton[][] {
  const rows: InlineKeyboardButton[][] = [];
  buttons.forEach((b, i) => {
    if (i % columns === 0) rows.push([]);
    rows[rows.length - 1].push(b);
  });
  return rows;
}

/** Lower-case letters and digits only: "✅ Selesai" and "selesai" are the same answer. */
function plain(label: string): string {
  return label.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

/** Keeps the chat readable: an answered question shows the answer and loses its buttons. */
async function markAnswered(ctx: DialogueContext, message: { chat: { id: number }; message_id: number }, question: string, answer: string): Promise<void> {
  await ctx.api.editMessageText(message.chat.id, message.message_id, `${question}\n\n✅ <b>${escapeHtml(answer)}</b>`);
}

export interface ChoiceOptions<V extends string> {
  prompt: string;
  choices: Choice<V>[];
  columns?: number;
  pending?: Input;
}

/** One choice out of a few, as inline buttons; the chosen answer is written under the question. */
export async function askChoice<V extends string>(conversation: Dialogue, ctx: DialogueContext, o: ChoiceOptions<V>): Promise<V> {
  const { value, mark } = await chooseOne(conversation, ctx, o);
  await mark();
  return value;
}

/**
 * Like askChoice, but leaves writing the answer under the question to the caller (`mark`),
 * e.g. after saving what the choice confirmed, so that a failed edit cannot lose the saved work.
 */
export async function chooseOne<V extends string>(
  conversation: Dialogue,
  ctx: DialogueContext,
  o: ChoiceOptions<V>,
): Promise<{ value: V; mark: () => Promise<void> }> {
  const rows = buttonRows(o.choices.map((c, i) => ({ text: c.label, callback_data: `c:${i}` })), o.columns);
  let answered: { prompt: Message.TextMessage; label: string; ctx: DialogueContext } | undefined;
  const value = await ask(conversation, ctx, {
    send: (c) => c.reply(o.prompt, { reply_markup: { inline_keyboard: rows } }),
    judge: (input, prompt) => {
      if (input.kind === "callback" && prompt && input.messageId === prompt.message_id) {
        const m = /^c:(\d{1,3})$/.exec(input.data);
        const choice = m ? o.choices[Number(m[1])] : undefined;
        if (choice) {
          answered = { prompt, label: choice.label, ctx: input.ctx };
          return { ok: true, value: choice.value };
        }
      }
      if (input.kind === "text" && !input.text.startsWith("/")) {
        // A member may type the label instead of tapping it.
        const typed = plain(input.text);
        const choice = typed ? o.choices.find((c) => plain(c.label) === typed || c.value.toLowerCase() === typed) : undefined;
        if (choice) return { ok: true, value: choice.value };
        return { ok: false, error: input.ctx.t("dialog.expect_choice") };
      }
      return { ok: false, error: wrongInputText(input.ctx, input, "choice") };
    },
  }, o.pending);
  const done = answered;
  return { value, mark: async () => (done ? markAnswered(done.ctx, done.prompt, o.prompt, done.label) : undefined) };
}

/** Yes or no, as two buttons side by side. */
export async function askYesNo(conversation: Dialogue, ctx: DialogueContext, o: { prompt: string; pending?: Input }): Promise<boolean> {
  const answer = await askChoice(conversation, ctx, {
    prompt: o.prompt,
    choices: [
      { value: "yes", label: ctx.t("dialog.yes") },
      { value: "no", label: ctx.t("dialog.no") },
    ],
    columns: 2,
    pending: o.pending,
  });
  return answer === "yes";
}

/**
 * Several choices: each button ticks or unticks its option (the keyboard is edited in place), then
 * "Selesai". At least `min` (default 1) must be ticked.
 */
export async function askMulti<V extends string>(
  conversation: Dialogue,
  ctx: DialogueContext,
  o: { prompt: string; choices: Choice<V>[]; columns?: number; min?: number; pending?: Input },
): Promise<V[]> {
  const min = o.min ?? 1;
  const ticked = new Set<number>();
  const keyboard = (t: DialogueContext["t"]) => ({
    inline_keyboard: [
      ...buttonRows(o.choices.map((c, i) => ({ text: `${ticked.has(i) ? "✅" : "▫️"} ${c.label}`, callback_data: `m:${i}` })), o.columns),
      [{ text: t("dialog.done"), callback_data: "m:done" }],
    ],
  });
  const chosen = () => o.choices.filter((_, i) => ticked.has(i));
  let answered: { prompt: Message.TextMessage; ctx: DialogueContext } | undefined;
  await ask<true>(conversation, ctx, {
    send: (c) => c.reply(o.prompt, { reply_markup: keyboard(c.t) }),
    judge: async (input, prompt) => {
      if (input.kind === "callback" && prompt && input.messageId === prompt.message_id) {
        if (input.data === "m:done") {
          if (ticked.size < min) return { ok: false, wait: true, notice: input.ctx.t("dialog.multi_min", { count: min }) };
          answered = { prompt, ctx: input.ctx };
          return { ok: true, value: true };
        }
        const m = /^m:(\d{1,2})$/.exec(input.data);
        const i = m ? Number(m[1]) : -1;
        if (o.choices[i]) {
          if (ticked.has(i)) ticked.delete(i);
          else ticked.add(i);
          await input.ctx.api.editMessageReplyMarkup(prompt.chat.id, prompt.message_id, { reply_markup: keyboard(input.ctx.t) });
          return { ok: false, wait: true };
        }
      }
      return { ok: false, error: wrongInputText(input.ctx, input, "multi") };
    },
  }, o.pending);
  if (answered) await markAnswered(answered.ctx, answered.prompt, o.prompt, chosen().map((c) => c.label).join(", "));
  return chosen().map((c) => c.value);
}

/** A number typed by the member, parsed by `parse` and kept within [min, max]. */
export function askNumber(
  conversation: Dialogue,
  ctx: DialogueContext,
  o: { prompt: string; min: number; max: number; parse: (text: string) => number | undefined; format: (n: number) => string; pending?: Input },
): Promise<number> {
  return ask(conversation, ctx, {
    send: (c) => c.reply(o.prompt),
    judge: (input) => {
      if (input.kind !== "text") return { ok: false, error: wrongInputText(input.ctx, input, "number") };
      const checked = checkText(input.ctx, input.text, 40);
      if (!checked.ok) return checked;
      const n = o.parse(checked.value);
      if (n === undefined) return { ok: false, error: input.ctx.t("dialog.number_invalid") };
      if (n < o.min || n > o.max) return { ok: false, error: input.ctx.t("dialog.number_range", { min: o.format(o.min), max: o.format(o.max) }) };
      return { ok: true, value: n };
    },
  }, o.pending);
}

export type TextOrVoice = { kind: "text"; text: string } | { kind: "voice"; fileId: string; fileUniqueId: string; duration: number };

/** A description: typed, or a voice note instead. Optional ones have a skip button (null). */
export async function askTextOrVoice(
  conversation: Dialogue,
  ctx: DialogueContext,
  o: { prompt: string; max: number; optional?: boolean; pending?: Input },
): Promise<TextOrVoice | null> {
  let skipped: { prompt: Message.TextMessage; ctx: DialogueContext } | undefined;
  const answer = await ask<TextOrVoice | null>(conversation, ctx, {
    send: (c) => c.reply(o.prompt, o.optional ? { reply_markup: { inline_keyboard: [[{ text: c.t("dialog.skip"), callback_data: "tv:skip" }]] } } : {}),
    judge: (input, prompt) => {
      if (input.kind === "voice") {
        return { ok: true, value: { kind: "voice", fileId: input.fileId, fileUniqueId: input.fileUniqueId, duration: input.duration } };
      }
      if (input.kind === "text") {
        if (o.optional && plain(input.text) === plain(input.ctx.t("dialog.skip"))) return { ok: true, value: null };
        const checked = checkText(input.ctx, input.text, o.max);
        return checked.ok ? { ok: true, value: { kind: "text", text: checked.value } } : checked;
      }
      if (o.optional && input.kind === "callback" && input.data === "tv:skip" && prompt && input.messageId === prompt.message_id) {
        skipped = { prompt, ctx: input.ctx };
        return { ok: true, value: null };
      }
      return { ok: false, error: wrongInputText(input.ctx, input, "voice") };
    },
  }, o.pending);
  if (skipped) await markAnswered(skipped.ctx, skipped.prompt, o.prompt, skipped.ctx.t("dialog.skip"));
  return answer;
}

export interface PhotoFile {
  fileId: string;
  fileUniqueId: string;
  /** What the member wrote under the photo (as sent; trimmed, absent when blank). */
  caption?: string;
}

/**
 * 1 to `max` photos (an album counts photo by photo). The member finishes with "Selesai", or by
 * simply sending the next answer (returned as `carry` for the next step to judge, for the kinds of
 * input in `o.carry`: those the next question takes); an optional step
 * can be skipped. One more photo than allowed is refused politely, the others are kept.
 */
export async function askPhotos(
  conversation: Dialogue,
  ctx: DialogueContext,
  o: { prompt: string; max: number; optional?: boolean; carry?: ("text" | "voice")[]; pending?: Input },
): Promise<{ photos: PhotoFile[]; carry?: Input }> {
  const photos: PhotoFile[] = [];
  /** Messages of this step whose "Selesai" button counts. */
  const ours = new Set<number>();
  let ack: { chatId: number; messageId: number; group?: string } | undefined;
  const refusedGroups = new Set<string>();
  let finished: { message: { chat: { id: number }; message_id: number }; text: string; answer: string; ctx: DialogueContext } | undefined;
  /** The photo count message, closed: "2 foto disimpan" instead of its "Selesai" button. */
  const countedIn = (message: { chat: { id: number }; message_id: number }, c: DialogueContext) => ({
    message,
    text: c.t("dialog.photo_received", { count: photos.length, max: o.max }),
    answer: c.t("dialog.photos_saved", { count: photos.length }),
    ctx: c,
  });
  const doneButton = (t: DialogueContext["t"]) => ({ inline_keyboard: [[{ text: t("dialog.photos_finish", { count: photos.length }), callback_data: "ph:done" }]] });

  const result = await ask<{ photos: PhotoFile[]; carry?: Input }>(conversation, ctx, {
    send: async (c) => {
      const markup = photos.length > 0 ? doneButton(c.t) : o.optional ? { inline_keyboard: [[{ text: c.t("dialog.skip"), callback_data: "ph:skip" }]] } : undefined;
      const sent = await c.reply(o.prompt, markup ? { reply_markup: markup } : {});
      ours.add(sent.message_id);
      ack = undefined;
      return sent;
    },
    judge: async (input, prompt) => {
      const t = input.ctx.t;
      if (input.kind === "photo") {
        // The same update delivered twice, or the same photo sent again: counted once.
        if (photos.some((p) => p.fileUniqueId === input.fileUniqueId)) return { ok: false, wait: true };
        if (photos.length >= o.max) {
          if (input.mediaGroupId && refusedGroups.has(input.mediaGroupId)) return { ok: false, wait: true };
          if (input.mediaGroupId) refusedGroups.add(input.mediaGroupId);
          return { ok: false, wait: true, notice: t("dialog.photo_limit", { max: o.max }) };
        }
        const caption = input.caption?.trim();
        photos.push({ fileId: input.fileId, fileUniqueId: input.fileUniqueId, ...(caption ? { caption } : {}) });
        const text = t("dialog.photo_received", { count: photos.length, max: o.max });
        if (ack && input.mediaGroupId && ack.group === input.mediaGroupId) {
          // The rest of an album: one message counting up instead of one per photo.
          await input.ctx.api.editMessageText(ack.chatId, ack.messageId, text, { reply_markup: doneButton(t) });
        } else {
          const sent = await input.ctx.reply(text, { reply_markup: doneButton(t) });
          ours.add(sent.message_id);
          ack = { chatId: sent.chat.id, messageId: sent.message_id, group: input.mediaGroupId };
        }
        return { ok: false, wait: true };
      }
      if (input.kind === "callback" && input.messageId !== undefined && ours.has(input.messageId)) {
        const message = { chat: { id: input.ctx.chat!.id }, message_id: input.messageId };
        if (input.data === "ph:done" && photos.length > 0) {
          finished = countedIn(message, input.ctx);
          return { ok: true, value: { photos } };
        }
        if (input.data === "ph:skip" && o.optional && photos.length === 0 && prompt && input.messageId === prompt.message_id) {
          finished = { message, text: o.prompt, answer: t("dialog.skip"), ctx: input.ctx };
          return { ok: true, value: { photos } };
        }
        if (input.data === "ph:done") return { ok: false, wait: true, notice: t("dialog.photo_need_one") };
      }
      const typed = input.kind === "text" && !input.text.startsWith("/");
      const typedDone = typed && [t("dialog.skip"), t("dialog.done")].some((l) => plain(l) === plain(input.text));
      // Moving on without "Selesai": the answer belongs to the next question.
      const movingOn = !typedDone && ((typed && o.carry?.includes("text")) || (input.kind === "voice" && o.carry?.includes("voice")));
      if ((typedDone || movingOn) && (photos.length > 0 || o.optional)) {
        if (ack) finished = countedIn({ chat: { id: ack.chatId }, message_id: ack.messageId }, input.ctx);
        return { ok: true, value: movingOn ? { photos, carry: input } : { photos } };
      }
      if (input.kind === "other" && input.what === "document") return { ok: false, error: t("dialog.photo_as_document") };
      return { ok: false, error: wrongInputText(input.ctx, input, "photo") };
    },
  }, o.pending);
  if (finished) await markAnswered(finished.ctx, finished.message, finished.text, finished.answer);
  return result;
}
