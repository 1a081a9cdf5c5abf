/**
 * The step engine's question kinds with buttons or typed values: choices (one, yes/no, several),
 * free text with suggestion buttons, numbers. Each is a `Question` for `ask` (ask.ts).
 */
import type { InlineKeyboardButton, Message } from "grammy/types";
import type { Dialogue, DialogueContext } from "../context";
import { escapeHtml } from "../../i18n";
import { ask, checkText, wrongInputText, type Input, type Markup } from "./ask";
import { DIALOGUE } from "../../telegram/callback-data";

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
    ? { inline_keyboard: o.suggestions.map((s, i) => [{ text: s.label, callback_data: DIALOGUE.suggestion(i) }]) }
    : o.reply_markup;
  return ask(
    conversation,
    ctx,
    {
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
          const m = DIALOGUE.SUGGESTION.exec(input.data);
          const s = m ? o.suggestions[Number(m[1])] : undefined;
          if (s) return { ok: true, value: s.value };
        }
        return { ok: false, error: wrongInputText(input.ctx, input, "text") };
      },
    },
    o.pending,
  );
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
export function plain(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Keeps the chat readable: an answered question shows the answer and loses its buttons. */
export async function markAnswered(ctx: DialogueContext, message: { chat: { id: number }; message_id: number }, question: string, answer: string): Promise<void> {
  // A label that starts with its own tick ("✅ Setuju") is not ticked twice.
  const label = answer.replace(/^\s*(?:✅|✔️|✔|☑️|☑)+\s*/u, "");
  await ctx.api.editMessageText(message.chat.id, message.message_id, `${question}\n\n✅ <b>${escapeHtml(label)}</b>`);
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
export async function chooseOne<V extends string>(conversation: Dialogue, ctx: DialogueContext, o: ChoiceOptions<V>): Promise<{ value: V; mark: () => Promise<void> }> {
  const rows = buttonRows(
    o.choices.map((c, i) => ({ text: c.label, callback_data: DIALOGUE.choice(i) })),
    o.columns,
  );
  let answered: { prompt: Message.TextMessage; label: string; ctx: DialogueContext } | undefined;
  const value = await ask(
    conversation,
    ctx,
    {
      send: (c) => c.reply(o.prompt, { reply_markup: { inline_keyboard: rows } }),
      judge: (input, prompt) => {
        if (input.kind === "callback" && prompt && input.messageId === prompt.message_id) {
          const m = DIALOGUE.CHOICE.exec(input.data);
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
    },
    o.pending,
  );
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
  o: { prompt: string; choices: Choice<V>[]; columns?: number; min?: number; pending?: Input; ticked?: V[] },
): Promise<V[]> {
  const min = o.min ?? 1;
  // Ticked from the start: the current answers when a member changes them.
  const ticked = new Set<number>(o.choices.flatMap((c, i) => (o.ticked?.includes(c.value) ? [i] : [])));
  const keyboard = (t: DialogueContext["t"]) => ({
    inline_keyboard: [
      ...buttonRows(
        o.choices.map((c, i) => ({ text: `${ticked.has(i) ? "✅" : "▫️"} ${c.label}`, callback_data: DIALOGUE.multi(i) })),
        o.columns,
      ),
      [{ text: t("dialog.done"), callback_data: DIALOGUE.multiDone }],
    ],
  });
  const chosen = () => o.choices.filter((_, i) => ticked.has(i));
  let answered: { prompt: Message.TextMessage; ctx: DialogueContext } | undefined;
  await ask<true>(
    conversation,
    ctx,
    {
      send: (c) => c.reply(o.prompt, { reply_markup: keyboard(c.t) }),
      judge: async (input, prompt) => {
        if (input.kind === "callback" && prompt && input.messageId === prompt.message_id) {
          if (input.data === DIALOGUE.multiDone) {
            if (ticked.size < min) return { ok: false, wait: true, notice: input.ctx.t("dialog.multi_min", { count: min }) };
            answered = { prompt, ctx: input.ctx };
            return { ok: true, value: true };
          }
          const m = DIALOGUE.MULTI.exec(input.data);
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
    },
    o.pending,
  );
  if (answered)
    await markAnswered(
      answered.ctx,
      answered.prompt,
      o.prompt,
      chosen()
        .map((c) => c.label)
        .join(", "),
    );
  return chosen().map((c) => c.value);
}

/** A number typed by the member, parsed by `parse` and kept within [min, max]. */
export function askNumber(
  conversation: Dialogue,
  ctx: DialogueContext,
  o: { prompt: string; min: number; max: number; parse: (text: string) => number | undefined; format: (n: number) => string; pending?: Input },
): Promise<number> {
  return ask(
    conversation,
    ctx,
    {
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
    },
    o.pending,
  );
}
