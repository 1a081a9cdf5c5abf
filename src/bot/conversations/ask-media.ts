/**
 * The step engine's media questions: a description typed or spoken, and photos (one by one or as an
 * album, with what the member wrote under them). Each is a `Question` for `ask` (ask.ts).
 */
import type { Message } from "grammy/types";
import type { Dialogue, DialogueContext } from "../context";
import { ask, checkText, wrongInputText, type Input } from "./ask";
import { markAnswered, plain } from "./ask-choices";
import { DIALOGUE } from "../../telegram/callback-data";

export type TextOrVoice = { kind: "text"; text: string } | { kind: "voice"; fileId: string; fileUniqueId: string; duration: number };

/** A description: typed, or a voice note instead. Optional ones have a skip button (null). */
export async function askTextOrVoice(
  conversation: Dialogue,
  ctx: DialogueContext,
  o: { prompt: string; max: number; optional?: boolean; pending?: Input },
): Promise<TextOrVoice | null> {
  let skipped: { prompt: Message.TextMessage; ctx: DialogueContext } | undefined;
  const answer = await ask<TextOrVoice | null>(
    conversation,
    ctx,
    {
      send: (c) => c.reply(o.prompt, o.optional ? { reply_markup: { inline_keyboard: [[{ text: c.t("dialog.skip"), callback_data: DIALOGUE.textOrVoiceSkip }]] } } : {}),
      judge: (input, prompt) => {
        if (input.kind === "voice") {
          return { ok: true, value: { kind: "voice", fileId: input.fileId, fileUniqueId: input.fileUniqueId, duration: input.duration } };
        }
        if (input.kind === "text") {
          if (o.optional && plain(input.text) === plain(input.ctx.t("dialog.skip"))) return { ok: true, value: null };
          const checked = checkText(input.ctx, input.text, o.max);
          return checked.ok ? { ok: true, value: { kind: "text", text: checked.value } } : checked;
        }
        if (o.optional && input.kind === "callback" && input.data === DIALOGUE.textOrVoiceSkip && prompt && input.messageId === prompt.message_id) {
          skipped = { prompt, ctx: input.ctx };
          return { ok: true, value: null };
        }
        return { ok: false, error: wrongInputText(input.ctx, input, "voice") };
      },
    },
    o.pending,
  );
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
  const doneButton = (t: DialogueContext["t"]) => ({ inline_keyboard: [[{ text: t("dialog.photos_finish", { count: photos.length }), callback_data: DIALOGUE.photosDone }]] });

  const result = await ask<{ photos: PhotoFile[]; carry?: Input }>(
    conversation,
    ctx,
    {
      send: async (c) => {
        const markup = photos.length > 0 ? doneButton(c.t) : o.optional ? { inline_keyboard: [[{ text: c.t("dialog.skip"), callback_data: DIALOGUE.photosSkip }]] } : undefined;
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
          if (input.data === DIALOGUE.photosDone && photos.length > 0) {
            finished = countedIn(message, input.ctx);
            return { ok: true, value: { photos } };
          }
          if (input.data === DIALOGUE.photosSkip && o.optional && photos.length === 0 && prompt && input.messageId === prompt.message_id) {
            finished = { message, text: o.prompt, answer: t("dialog.skip"), ctx: input.ctx };
            return { ok: true, value: { photos } };
          }
          if (input.data === DIALOGUE.photosDone) return { ok: false, wait: true, notice: t("dialog.photo_need_one") };
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
    },
    o.pending,
  );
  if (finished) await markAnswered(finished.ctx, finished.message, finished.text, finished.answer);
  return result;
}
