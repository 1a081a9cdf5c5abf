/**
 * The closure's messages in Telegram: the question after *Selesai* (Sudah / Belum), the stars and
 * the comment's *Lewati*, and what the closure's timeline entries send (the reason to the group as
 * a reply to the card, the member's acknowledgement, the closure by silence).
 */
import type { OutboxItem } from "../domain/outbox";
import type { RequestView } from "../domain/requests";
import type { ClosureRefusal } from "../domain/closure";
import { actedAs } from "../domain/requests";
import { findMemberById } from "../domain/members";
import { officerNames } from "../domain/officers";
import { STAFF_LOCALE } from "../domain/officer-actions";
import { STARS_MAX } from "../vocabulary/closure-states";
import { tFor, typeWords, type TFunction } from "../i18n";
import { closureButtonData, type ClosureButton } from "./callback-data";
import { mediaMessage, memberLocale, mention } from "./render";
import { starsOf } from "./closure-card";

interface Call {
  method: string;
  payload: Record<string, unknown>;
}

type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };

const button = (t: TFunction, key: string, action: ClosureButton, requestId: string) => ({ text: t(key), callback_data: closureButtonData(action, requestId) });

/** *Sudah* / *Belum*, side by side. */
export function closureAskKeyboard(t: TFunction, requestId: string): Keyboard {
  return { inline_keyboard: [[button(t, "closure.btn_yes", "y", requestId), button(t, "closure.btn_no", "n", requestId)]] };
}

/** One big button per rating, the best first. */
export function starsKeyboard(t: TFunction, requestId: string): Keyboard {
  const rows = [];
  for (let n = STARS_MAX; n >= 1; n--) rows.push([{ text: `${starsOf(n)} ${t(`closure.star_${n}`)}`, callback_data: closureButtonData(String(n) as ClosureButton, requestId) }]);
  return { inline_keyboard: rows };
}

export function skipCommentKeyboard(t: TFunction, requestId: string): Keyboard {
  return { inline_keyboard: [[button(t, "closure.btn_skip", "skip", requestId)]] };
}

async function memberT(r: RequestView): Promise<TFunction> {
  return tFor(memberLocale(await findMemberById(r.memberId)));
}

/** The question after *Selesai*, while the request still waits for it (else nothing to send). */
export async function renderClosureAsk(r: RequestView): Promise<Call | "gone"> {
  if (r.status !== "selesai" || r.confirmation !== "waiting") return "gone";
  const t = await memberT(r);
  return { method: "sendMessage", payload: { text: t("closure.ask", { ...typeWords(t, r.type), code: r.code }), reply_markup: closureAskKeyboard(t, r.id) } };
}

/** The message a closure entry causes for the item's kind ("gone" for anything else). */
export async function renderClosureEntry(item: OutboxItem, r: RequestView, i: number): Promise<Call | "gone"> {
  const e = r.timeline[i];
  if (!e) return "gone";
  if (e.kind === "reopened" && item.kind === "group_relay") {
    const staff = tFor(STAFF_LOCALE);
    const id = r.assigneeTelegramId;
    const name = id !== null ? ((await officerNames([id])).get(id) ?? actedAs(r, id) ?? String(id)) : null;
    const header = staff(name !== null && id !== null ? "closure.group_reopened" : "closure.group_reopened_unassigned", {
      code: r.code,
      officer: id !== null && name !== null ? mention(id, name) : "",
      count: r.reopenCount,
    });
    const voice = e.attachments?.find((a) => a.kind === "voice");
    return mediaMessage(null, header, { text: e.note, ...(voice ? { voice: voice.fileId } : {}) });
  }
  if (e.kind === "reopened" && item.kind === "member_ack") {
    const t = await memberT(r);
    return { method: "sendMessage", payload: { text: t("closure.reopened_ack", { ...typeWords(t, r.type), code: r.code }) } };
  }
  if (e.kind === "accepted" && item.kind === "member") {
    const t = await memberT(r);
    return { method: "sendMessage", payload: { text: t("closure.accepted_member", { ...typeWords(t, r.type), code: r.code }) } };
  }
  return "gone";
}

/** Why a closure button or answer is refused, as the member reads it (Telegram and WhatsApp alike). */
export function closureRefusalText(t: TFunction, res: ClosureRefusal): string {
  const r = res.request;
  if (res.reason === "not_found" || !r) return t("closure.not_yours");
  if (res.reason === "already_rated" || res.reason === "already_commented") return t("closure.already_rated");
  return closureNotWaitingText(t, r);
}

export function closureNotWaitingText(t: TFunction, r: RequestView): string {
  const words = { ...typeWords(t, r.type), code: r.code };
  if (r.confirmation === "reopened" && r.status !== "selesai") return t("closure.already_reopened", words);
  if (r.confirmation === "closed_silently") return t("closure.already_closed", words);
  return t("closure.not_waiting", { ...words, status: t(`labels.status.${r.status}`) });
}
