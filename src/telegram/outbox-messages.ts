/**
 * Writes a neutral outbox message (domain/outbox.ts OutboxMessage) as the Bot API call that delivers
 * it, from the database as it is at send time. "gone": there is nothing to send any more (the
 * request, the member or the application no longer exists).
 */
import type { OutboxItem, OutboxMessage } from "../domain/outbox";
import type { RequestView, TimelineEntry } from "../domain/requests";
import { findRequestById } from "../domain/requests";
import { findMemberById } from "../domain/members";
import { applicationFacts, recipientLocale, reviewFacts } from "../domain/chairpersons";
import { STAFF_LOCALE } from "../domain/officer-actions";
import { getOfficeContact } from "../domain/settings";
import { escapeHtml, tFor, typeWords } from "../i18n";
import { InputFile } from "grammy";
import { officerNames } from "../domain/officers";
import { monthWorkbook, recapChartData, recapPictures, type ReportPicture } from "../reports/monthly-report";
import { visibleLength } from "../lib/text";
import { chairRequestButtonData, membershipButtonData } from "./callback-data";
import { answerKeyboard, escapeWithin, mediaMessage, memberLocale, memberStatusMessage, mention } from "./render";
import { renderClosureAsk, renderClosureEntry } from "./closure-messages";
import { isClosureEntryKind } from "../vocabulary/closure-states";
import { renderSlaMessage } from "./sla";
import { asTelegramCall, programNotice } from "./program-messages";
import { TELEGRAM_ALBUM_MAX, TELEGRAM_CAPTION_MAX, TELEGRAM_PLACEHOLDER_MAX } from "../lib/limits";

export interface Call {
  method: string;
  payload: Record<string, unknown>;
}

function entryContent(e: TimelineEntry): { text?: string; photo?: string; voice?: string } {
  const a = e.attachments?.[0];
  return { text: e.note, ...(a?.kind === "photo" ? { photo: a.fileId } : {}), ...(a?.kind === "voice" ? { voice: a.fileId } : {}) };
}

async function memberT(r: RequestView) {
  return tFor(memberLocale(await findMemberById(r.memberId)));
}

/** The message a timeline entry causes, for the item's kind. */
async function renderEntry(item: OutboxItem, r: RequestView, i: number): Promise<Call | "gone"> {
  const e = r.timeline[i];
  if (!e) return "gone";
  if (isClosureEntryKind(e.kind)) return renderClosureEntry(item, r, i);
  const staff = tFor(STAFF_LOCALE);
  switch (item.kind) {
    case "member": {
      if (e.kind === "claim") {
        const t = await memberT(r);
        return { method: "sendMessage", payload: { text: t("officer.member.claimed", { ...typeWords(t, r.type), code: r.code }) } };
      }
      if (!e.to) return "gone";
      const contact = e.to === "ditolak" ? await getOfficeContact() : null;
      return { method: "sendMessage", payload: memberStatusMessage(r, e.to, e.note, memberLocale(await findMemberById(r.memberId)), contact) };
    }
    case "group_relay":
    case "member_ack": {
      // The answer that returned the request from perlu_info is followed by that status entry.
      const next = r.timeline[i + 1];
      const returned = next?.kind === "status" && next.role === "member" ? (next.to ?? null) : null;
      if (item.kind === "group_relay") {
        return mediaMessage(null, staff(returned ? "officer.relay.answer" : "officer.relay.message", { code: r.code }), entryContent(e));
      }
      const t = await memberT(r);
      const text = returned ? t("officer.member.ack_status", { code: r.code, status: t(`labels.status.${returned}`) }) : t("officer.member.ack", { code: r.code });
      return { method: "sendMessage", payload: { text } };
    }
    case "member_relay": {
      const t = await memberT(r);
      return mediaMessage(
        null,
        t("officer.member.officer_message", { ...typeWords(t, r.type), code: r.code }),
        entryContent(e),
        { reply_markup: answerKeyboard(t, r.id) },
        t("officer.member.reply_hint"),
      );
    }
    default:
      return "gone";
  }
}

/** The request's first photo (with what the member wrote under it) or its voice note, for the group. */
function renderRequestMedia(r: RequestView, media: "photo" | "voice"): Call | "gone" {
  const staff = tFor(STAFF_LOCALE);
  const photos = r.attachments.filter((a) => a.kind === "photo");
  const voice = r.attachments.find((a) => a.kind === "voice");
  if (media === "voice") return voice ? { method: "sendVoice", payload: { voice: voice.fileId, caption: staff("officer.media.voice", { code: r.code }) } } : "gone";
  if (photos.length === 0) return "gone";
  const header = staff(photos.length > 1 ? "officer.media.photo_of" : "officer.media.photo", { code: r.code, count: photos.length });
  return mediaMessage(null, header, { photo: photos[0].fileId, text: photos[0].caption });
}

/** All the request's photos as an album, each with what the member wrote under it; the first says whose. */
function renderRequestPhotos(r: RequestView): Call | "gone" {
  const staff = tFor(STAFF_LOCALE);
  const photos = r.attachments.filter((a) => a.kind === "photo");
  if (photos.length === 0) return "gone";
  const album = photos.slice(0, TELEGRAM_ALBUM_MAX).map((p, n) => {
    const header = n === 0 ? staff("officer.contact.photos", { ...typeWords(staff, r.type), code: r.code }) : "";
    const words = p.caption ? escapeWithin(p.caption, TELEGRAM_CAPTION_MAX - visibleLength(header) - 2) : "";
    const caption = [header, words].filter(Boolean).join("\n\n");
    return { type: "photo", media: p.fileId, ...(caption ? { caption } : {}) };
  });
  return { method: "sendMediaGroup", payload: { media: album } };
}

async function renderWithRequest(
  item: OutboxItem,
  message: OutboxMessage & { type: "entry" | "request_media" | "request_photos" | "prompt" | "closure_ask" },
): Promise<Call | "gone"> {
  const r = item.requestId ? await findRequestById(item.requestId) : null;
  if (!r) return "gone";
  switch (message.type) {
    case "entry":
      return renderEntry(item, r, message.entry);
    case "request_media":
      return renderRequestMedia(r, message.media);
    case "request_photos":
      return renderRequestPhotos(r);
    case "closure_ask":
      return renderClosureAsk(r);
    case "prompt": {
      const t = tFor(STAFF_LOCALE);
      // Says whose reply counts: only the addressed officer's (workflow.ts answerPrompt).
      const text = t(`officer.prompt.${message.action}`, { officer: mention(message.officerId, message.officerName), name: escapeHtml(message.officerName), code: r.code });
      const placeholder = t(`officer.prompt.placeholder_${message.action}`, { code: r.code }).slice(0, TELEGRAM_PLACEHOLDER_MAX);
      return { method: "sendMessage", payload: { text, reply_markup: { force_reply: true, selective: true, input_field_placeholder: placeholder } } };
    }
  }
}

/** The Bot API call for an item holding a neutral message (chat_id is added by the caller). */
export async function renderMessage(item: OutboxItem, message: OutboxMessage, chatId: number, now: Date = item.nextAttemptAt): Promise<Call | "gone"> {
  switch (message.type) {
    case "sla_digest":
    case "sla_officer":
    case "sla_escalation":
    case "sla_info_reminder":
      return renderSlaMessage(item, message, now, async (r) => {
        const t = await memberT(r);
        return { t, keyboard: answerKeyboard(t, r.id) };
      });
    case "entry":
    case "request_media":
    case "request_photos":
    case "prompt":
    case "closure_ask":
      return renderWithRequest(item, message);
    case "membership_review": {
      const facts = await reviewFacts(message.memberId, message.sentraId);
      if (!facts) return "gone";
      const t = tFor(await recipientLocale(chatId, message.locale));
      const buttons = [
        { text: t("membership.btn_approve"), callback_data: membershipButtonData(true, message.memberId) },
        { text: t("membership.btn_reject"), callback_data: membershipButtonData(false, message.memberId) },
      ];
      return { method: "sendMessage", payload: { text: t("membership.review", facts), reply_markup: { inline_keyboard: [buttons] } } };
    }
    case "chair_request": {
      const facts = await applicationFacts(message.applicationId);
      if (!facts) return "gone";
      const t = tFor(STAFF_LOCALE);
      const text = t("membership.chair_request", { name: facts.name, business: facts.business, sentra: facts.sentra, current: facts.hasChair ? t("membership.has_chair") : "" });
      const buttons = [
        { text: t("membership.btn_approve"), callback_data: chairRequestButtonData(true, message.applicationId) },
        { text: t("membership.btn_reject"), callback_data: chairRequestButtonData(false, message.applicationId) },
      ];
      return { method: "sendMessage", payload: { text, reply_markup: { inline_keyboard: [buttons] } } };
    }
    case "program": {
      const locale = await recipientLocale(chatId, STAFF_LOCALE);
      const out = await programNotice(tFor(locale), message.programId, message.event, chatId, locale, now);
      return out ? asTelegramCall(out) : "gone";
    }
    case "text": {
      const t = tFor(await recipientLocale(chatId, message.locale));
      return { method: "sendMessage", payload: { text: t(message.key, message.vars ?? {}) } };
    }
    case "monthly_report":
      return monthlyReportCall(message, chatId);
  }
}

/**
 * Last month's pictures (an album, or one photo; a text when the month was empty) or its workbook,
 * made now, for an admin in their private chat: with phone numbers, as /ekspor there.
 */
async function monthlyReportCall(message: Extract<OutboxMessage, { type: "monthly_report" }>, chatId: number): Promise<Call> {
  const locale = await recipientLocale(chatId, STAFF_LOCALE);
  const t = tFor(locale);
  if (message.part === "workbook") {
    const file = await monthWorkbook({ month: message.month, includePhone: true, officerNames, locale });
    const caption = t("reports.monthly_workbook", { month: message.month, rows: file.rows });
    return { method: "sendDocument", payload: { document: new InputFile(file.content, file.filename), caption } };
  }
  const pictures = await recapPictures(await recapChartData(message.month), locale);
  if (pictures.length === 0) return { method: "sendMessage", payload: { text: t("reports.monthly_empty", { month: message.month }) } };
  const photo = (p: ReportPicture) => ({ type: "photo" as const, media: new InputFile(p.png, p.filename), caption: escapeHtml(p.caption) });
  if (pictures.length === 1) return { method: "sendPhoto", payload: { photo: photo(pictures[0]).media, caption: t("reports.monthly_title", { month: message.month }) } };
  const album = pictures.map(photo);
  album[0].caption = `${t("reports.monthly_title", { month: message.month })}\n${album[0].caption}`;
  return { method: "sendMediaGroup", payload: { media: album } };
}
