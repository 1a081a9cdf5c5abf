/**
 * A WhatsApp member's answers to the updates the officers sent them (whatsapp/dispatcher.ts): the
 * Jawab button under a question or message, Sudah / Belum after *Selesai*, the stars and the
 * comment. The buttons carry the same data as on Telegram (telegram/callback-data.ts) and are read
 * with the same patterns; who pressed is the sender of the message, never the data. What such a
 * button asks for (the answer, the reason, the comment) is the member's next message, kept in the
 * session as `awaiting`. The domain calls are the ones Telegram makes, with the WhatsApp message as
 * their source (the same message handled twice is recorded once).
 */
import { sourceOf } from "./source";
import { typeWords, type TFunction } from "../i18n";
import type { ChangeBasis } from "../domain/deadlines";
import type { MemberView } from "../domain/members";
import type { MachineInput, MachineOutput } from "../domain/request-machine";
import { isOpen } from "../vocabulary/statuses";
import { memberRequest, recordMemberAnswer, NOTE_MAX } from "../domain/workflow";
import { CLOSURE_TEXT_MAX, commentOnRating, confirmResolved, memberClosureRequest, rateRequest, reopenByMember } from "../domain/closure";
import { ANSWER_BUTTON, CLOSURE_BUTTON } from "../telegram/callback-data";
import { closureRefusalText, skipCommentKeyboard, starsKeyboard } from "../telegram/closure-messages";
import { starsOf } from "../telegram/closure-card";
import type { FreeMessageWait } from "./free-messages";

/** What the member's next message answers: an officer's question, the reason, the comment (this module), or which request a free message is for (free-messages.ts). */
export type Awaiting = ReplyWait | FreeMessageWait;

export interface ReplyWait {
  kind: "answer" | "reason" | "comment";
  requestId: string;
}

export interface FollowUp {
  out: MachineOutput[];
  awaiting: Awaiting | null;
}

const choicesOf = (k: { inline_keyboard: { text: string; callback_data: string }[][] }) => k.inline_keyboard.flat().map((b) => ({ id: b.callback_data, label: b.text }));

/** A press of a button from an update; null when the id is not one of those. */
export async function pressFollowUp(id: string, member: MemberView, t: TFunction, basis: ChangeBasis): Promise<FollowUp | null> {
  const key = member.telegramId;
  const answer = ANSWER_BUTTON.exec(id);
  if (answer) {
    const r = await memberRequest(answer[1], key);
    if (!r) return { out: [{ text: t("dialog.stale_button") }], awaiting: null };
    if (!isOpen(r.status)) return { out: [{ text: t("officer.member.closed_toast", { ...typeWords(t, r.type), code: r.code }) }], awaiting: null };
    return { out: [{ text: t("officer.member.answer_prompt", { ...typeWords(t, r.type), code: r.code }) }], awaiting: { kind: "answer", requestId: r.id } };
  }
  const closure = CLOSURE_BUTTON.exec(id);
  if (!closure) return null;
  const [, action, requestId] = closure;
  if (action === "y") {
    const res = await confirmResolved(requestId, key, basis);
    if (!res.ok) return { out: [{ text: closureRefusalText(t, res) }], awaiting: null };
    if (res.request.rating) return { out: [{ text: t("closure.already_rated") }], awaiting: null };
    return {
      out: [{ text: t("closure.ask_rating", { ...typeWords(t, res.request.type), code: res.request.code }), choices: choicesOf(starsKeyboard(t, requestId)) }],
      awaiting: null,
    };
  }
  const r = await memberClosureRequest(requestId, key);
  if (!r) return { out: [{ text: closureRefusalText(t, { ok: false, reason: "not_found" }) }], awaiting: null };
  if (action === "n") {
    if (r.status !== "selesai" || r.confirmation !== "waiting") return { out: [{ text: closureRefusalText(t, { ok: false, reason: "not_waiting", request: r }) }], awaiting: null };
    return { out: [{ text: t("closure.ask_reason", { ...typeWords(t, r.type), code: r.code }) }], awaiting: { kind: "reason", requestId } };
  }
  if (action === "skip") {
    if (!r.rating) return { out: [{ text: closureRefusalText(t, { ok: false, reason: "not_confirmed", request: r }) }], awaiting: null };
    return { out: [{ text: t("closure.thanks") }], awaiting: null };
  }
  const stars = Number(action);
  const res = await rateRequest(requestId, key, stars, basis);
  if (!res.ok) return { out: [{ text: closureRefusalText(t, res) }], awaiting: null };
  return { out: [{ text: t("closure.ask_comment", { stars: starsOf(stars) }), choices: choicesOf(skipCommentKeyboard(t, requestId)) }], awaiting: { kind: "comment", requestId } };
}

/**
 * The member's message while a follow-up waits for it: an answer in words, a photo or a voice note
 * (copied already: media.ts); a reason in words or a voice note; a comment in words. A refusal ends
 * the wait with its reason.
 */
export async function answerFollowUp(awaiting: ReplyWait, input: MachineInput, member: MemberView, wamid: string, t: TFunction, basis: ChangeBasis): Promise<FollowUp> {
  const again = (text: string): FollowUp => ({ out: [{ text }], awaiting });
  const media = input.kind === "photo" || input.kind === "voice" ? input : null;
  const mediaAllowed = awaiting.kind === "answer" || (awaiting.kind === "reason" && input.kind === "voice");
  if (media && !mediaAllowed) return again(t(awaiting.kind === "comment" ? "closure.comment_wrong_kind" : "closure.reason_wrong_kind"));
  if (!media && input.kind !== "text")
    return again(t(awaiting.kind === "comment" ? "closure.comment_wrong_kind" : awaiting.kind === "reason" ? "closure.reason_wrong_kind" : "officer.member.wrong_kind"));
  const text = (input.kind === "text" ? input.text : input.kind === "photo" ? (input.caption ?? "") : "").trim();
  const max = awaiting.kind === "answer" ? NOTE_MAX : CLOSURE_TEXT_MAX;
  if (!media && !text) return again(t("dialog.empty_text"));
  if (text.length > max) return again(t("dialog.too_long", { max, count: text.length }));
  const source = sourceOf(member.telegramId, wamid);
  const file = media ? { fileId: media.ref, fileUniqueId: media.ref } : null;
  if (awaiting.kind === "answer") {
    const content = { ...(text ? { text } : {}), ...(media?.kind === "photo" ? { photo: file! } : {}), ...(media?.kind === "voice" ? { voice: file! } : {}) };
    const res = await recordMemberAnswer(awaiting.requestId, member.telegramId, content, source, basis);
    if (res.ok) return { out: [], awaiting: null }; // the acknowledgement comes through the outbox
    if (res.reason === "closed" && res.request) {
      return {
        out: [{ text: t("officer.member.closed", { ...typeWords(t, res.request.type), code: res.request.code, status: t(`labels.status.${res.request.status}`) }) }],
        awaiting: null,
      };
    }
    return { out: [{ text: t("dialog.stale_button") }], awaiting: null };
  }
  const res =
    awaiting.kind === "reason"
      ? await reopenByMember(awaiting.requestId, member.telegramId, { ...(text ? { text } : {}), ...(media?.kind === "voice" ? { voice: file! } : {}) }, source, basis)
      : await commentOnRating(awaiting.requestId, member.telegramId, text, source, basis);
  if (!res.ok) return { out: [{ text: closureRefusalText(t, res) }], awaiting: null };
  return { out: awaiting.kind === "comment" ? [{ text: t("closure.thanks") }] : [], awaiting: null };
}
