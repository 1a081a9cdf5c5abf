/**
 * How the officer workflow's messages look in Telegram, as Bot API payloads (plain data; no grammY
 * here): the alert card and its edits, digests and contacts for officers, and the member's
 * notifications in the member's language. Text is HTML (values escaped).
 */
import { createHash } from "node:crypto";
import { tFor, escapeHtml, typeWords, type TFunction } from "../i18n";
import type { Locale } from "../config";
import { formatWita } from "../lib/time";
import { clipText, eachGrapheme, visibleLength } from "../lib/text";
import { actedAs, findRequestById, type RequestView, type TimelineEntry } from "../domain/requests";
import { findMemberById, type MemberView } from "../domain/members";
import { findSentra, type SentraView } from "../domain/sentras";
import { officerNames } from "../domain/officers";
import { allowedNext, isOpen, type Status } from "../domain/statuses";
import { describeAnswers, requestDefinition } from "../domain/request-definitions";
import { isDeliveryRecord, lastChangeAt } from "../domain/queries";
import { actionFor, STAFF_LOCALE, type OfficerAction, type StatusAction } from "../domain/officer-actions";
import { answerButtonData, cardButtonData } from "./callback-data";
import { cardSlaLines } from "./sla";
import { loadCalendar } from "../domain/holidays";
import { slaStanding, type SlaStanding } from "../domain/deadlines";
import { TELEGRAM_CAPTION_MAX, TELEGRAM_TEXT_MAX } from "../lib/limits";
import { isClosureEntryKind } from "../domain/closure-states";
import { closureCardLines } from "./closure-card";

/** A mention that notifies the officer (also without a username). */
export function mention(telegramId: number, name: string): string {
  return `<a href="tg://user?id=${telegramId}">${escapeHtml(name)}</a>`;
}

const clip = clipText;

export function typeLabel(t: TFunction, request: Pick<RequestView, "type">): string {
  return t(`labels.type.${request.type}`);
}
export function statusLabel(t: TFunction, status: Status): string {
  return t(`labels.status.${status}`);
}

/** Everything a card shows, loaded once. */
export interface CardData {
  request: RequestView;
  member: MemberView | null;
  sentra: SentraView | null;
  names: Map<number, string>;
  /** How it stands against its deadlines, when loaded with a `now` (cards are rendered at send time). */
  sla?: { standing: SlaStanding; now: Date };
}

/** `now`: the card shows the request's age in working days and whether it is overdue, as of then. */
export async function loadCardData(requestId: string, now?: Date): Promise<CardData | null> {
  const request = await findRequestById(requestId);
  if (!request) return null;
  const [member, sentra, names, calendar] = await Promise.all([
    findMemberById(request.memberId),
    findSentra(request.sentraId),
    officerNames([request.assigneeTelegramId, request.routedToTelegramId].filter((x): x is number => x !== null)),
    now ? loadCalendar() : undefined,
  ]);
  return { request, member, sentra, names, ...(now && calendar ? { sla: { standing: slaStanding(request, now, calendar), now } } : {}) };
}

/** The officers list's name; else (an admin) the name the person had when they last acted on it. */
function officerName(data: CardData, id: number): string {
  return data.names.get(id) ?? actedAs(data.request, id) ?? tFor(STAFF_LOCALE)("officer.admin.default_name", { id });
}

function officerMention(data: CardData, id: number): string {
  return mention(id, officerName(data, id));
}

/** The buttons a card offers in its current state (none once closed). */
export function cardKeyboard(request: Pick<RequestView, "id" | "status" | "infoReturnTo" | "assigneeTelegramId">, t: TFunction) {
  if (!isOpen(request.status)) return { inline_keyboard: [] as { text: string; callback_data: string }[][] };
  const btn = (a: OfficerAction) => ({ text: t(`officer.btn.${a}`), callback_data: cardButtonData(a, request.id) });
  const next = allowedNext(request.status, request.assigneeTelegramId !== null).filter(
    (s) => request.status !== "perlu_info" || s === "ditolak" || !request.infoReturnTo || s === request.infoReturnTo,
  );
  // Unclaimed: take it (or review or decline it); once someone has it, every step is offered at once.
  const actions = next.map((s) => actionFor(s)).filter((a): a is StatusAction => a !== undefined);
  const rows: { text: string; callback_data: string }[][] = [];
  const first = [...(request.assigneeTelegramId === null ? (["claim"] as OfficerAction[]) : []), ...actions.filter((a) => a !== "done" && a !== "reject")];
  const second = actions.filter((a) => a === "done" || a === "reject");
  if (first.length) rows.push(first.map(btn));
  if (second.length) rows.push(second.map(btn));
  // Replies to the card stay among officers; the member is written to only through this button.
  rows.push([btn("message")]);
  return { inline_keyboard: rows };
}

const NOTE_LABEL: Partial<Record<Status, string>> = { perlu_info: "note_question", selesai: "note_done", ditolak: "note_reason" };

function lastNote(timeline: TimelineEntry[]): { label: string; note: string } | null {
  for (let i = timeline.length - 1; i >= 0; i--) {
    const e = timeline[i];
    // The member's reason to reopen and a rating's comment have their own lines (closure-card.ts).
    if (!e.note || e.kind === "delivery" || e.kind === "created" || isClosureEntryKind(e.kind)) continue;
    if (e.kind === "answer") return { label: "note_answer", note: e.note };
    if (e.kind === "reply") return { label: "note_reply", note: e.note };
    if (e.kind === "note") return { label: "note_internal", note: e.note };
    if (e.kind === "status") return { label: (e.to && NOTE_LABEL[e.to]) || "note_other", note: e.note };
    return { label: "note_other", note: e.note };
  }
  return null;
}

/** How much of each answer, caption and note a card shows: tried in turn until the card fits. */
const CARD_SCALES = [1, 0.5, 0.25, 0.1];

/** The card's answers, photo captions and last note, each cut to its share times `scale`. */
function cardMiddle(r: RequestView, t: TFunction, scale: number): string[] {
  const lines: string[] = [""];
  const cut = (text: string, max: number) => clip(text, Math.max(10, Math.floor(max * scale)));
  // Photo captions get a line each below their answer (in the answer's line a long one would cut the others).
  const uncaptioned = r.attachments.map(({ caption: _caption, ...a }) => a);
  const answers = describeAnswers(requestDefinition(r.type), r.answers, uncaptioned, (k, v) => t(k, v ?? {}));
  for (const a of answers) {
    if (a.value === t("request.none")) continue;
    lines.push(t("officer.card.answer_line", { label: a.label, value: cut(a.value, 200) }));
    const photos = r.attachments.filter((p) => p.field === a.key && p.kind === "photo");
    photos.forEach((p, i) => {
      if (p.caption?.trim()) lines.push(t("officer.card.photo_caption", { n: i + 1, caption: cut(p.caption, 150) }));
    });
  }
  const note = lastNote(r.timeline);
  if (note) lines.push("", t("officer.card.last_note", { label: t(`officer.card.${note.label}`), note: cut(note.note, 300) }));
  return lines;
}

/** Whose request it is: the member, or the member their chairperson filed it for (and that it was). */
function memberLines(t: TFunction, r: RequestView, member: CardData["member"]): string[] {
  if (!r.onBehalf) return [member?.name ? t("officer.card.member", { name: member.name, business: member.businessName ?? "—" }) : t("officer.card.member_erased")];
  return [
    t(r.onBehalf.memberId ? "officer.card.member_for" : "officer.card.member_for_offline", { name: r.onBehalf.name }),
    t("officer.card.filed_by_chair", { chair: member?.name ?? "—" }),
  ];
}

/** The card: compact, scannable, no phone number. */
export function renderCard(data: CardData): { text: string; reply_markup: ReturnType<typeof cardKeyboard>; hash: string } {
  const t = tFor(STAFF_LOCALE);
  const { request: r, member, sentra } = data;
  const lines: string[] = [
    t("officer.card.title", { icon: t(`labels.status_icon.${r.status}`), code: r.code, type: typeLabel(t, r) }),
    t("officer.card.status", { status: statusLabel(t, r.status) }),
    ...memberLines(t, r, member),
    t("officer.card.place", { sentra: sentra?.name ?? t("officer.card.no_sentra"), kecamatan: r.kecamatan }) +
      (sentra && member?.sentraVerified && member.sentraId === sentra.id ? t("officer.card.verified") : ""),
    r.routedToTelegramId !== null ? t("officer.card.routed", { officer: officerMention(data, r.routedToTelegramId) }) : t("officer.card.routed_none"),
    r.assigneeTelegramId !== null ? t("officer.card.assignee", { officer: officerMention(data, r.assigneeTelegramId) }) : t("officer.card.assignee_none"),
  ];
  lines.push(...closureCardLines(r, t));
  lines.push(...cardSlaLines(t, r, data.sla));
  if (r.memberUnreachableAt) lines.push(t("officer.card.unreachable", { at: formatWita(r.memberUnreachableAt, STAFF_LOCALE) }));
  // A message that failed for good (not a blocked member: that is the line above), until something newer happens.
  const last = r.timeline.at(-1);
  if (last?.kind === "delivery" && last.note && !last.note.startsWith("403")) {
    lines.push(t("officer.card.delivery_failed", { at: formatWita(last.at, STAFF_LOCALE), note: clip(last.note, 200) }));
  }
  const tail: string[] = ["", t("officer.card.created", { at: formatWita(r.createdAt, STAFF_LOCALE) })];
  // The request's last change, as /status and the export show it: a delivery record is no change.
  if (r.timeline.filter((e) => !isDeliveryRecord(e)).length > 1) tail.push(t("officer.card.updated", { at: formatWita(lastChangeAt(r), STAFF_LOCALE) }));
  if (isOpen(r.status)) tail.push(t("officer.card.hint"));
  // Telegram counts the text it shows (tags and entities parsed): the answers shrink until the card
  // fits, so its head and its last lines (dates, hint) always stay.
  let text = "";
  for (const scale of CARD_SCALES) {
    const middle = cardMiddle(r, t, scale);
    text = [...lines, ...middle, ...tail].join("\n");
    if (visibleLength(text) <= TELEGRAM_TEXT_MAX) break;
  }
  if (visibleLength(text) > TELEGRAM_TEXT_MAX) text = [...lines, "", t("officer.card.too_long"), ...tail].join("\n");
  const reply_markup = cardKeyboard(r, t);
  const hash = createHash("sha1")
    .update(JSON.stringify([text, reply_markup]))
    .digest("hex");
  return { text, reply_markup, hash };
}

/** One line per request for a digest (the cards follow, with the mentions; names keep the digest short). */
export function renderDigest(entries: CardData[]): string {
  const t = tFor(STAFF_LOCALE);
  const lines = entries.map(
    (d) =>
      t("officer.digest.line", {
        code: d.request.code,
        type: typeLabel(t, d.request),
        business: d.member?.businessName ?? "—",
        kecamatan: d.request.kecamatan,
      }) + (d.request.routedToTelegramId !== null ? t("officer.digest.routed", { officer: officerName(d, d.request.routedToTelegramId) }) : ""),
  );
  return [t("officer.digest.title", { count: entries.length }), ...lines].join("\n");
}

/** The member's language (their stored choice, else Indonesian). */
export function memberLocale(member: MemberView | null): Locale {
  return member?.locale ?? "id";
}

export function answerKeyboard(t: TFunction, requestId: string) {
  return { inline_keyboard: [[{ text: t("officer.member.btn_answer"), callback_data: answerButtonData(requestId) }]] };
}

/** The member is told of a status change, in plain words, with the code and the note. */
export function memberStatusMessage(request: RequestView, to: Status, note: string | undefined, locale: Locale, officeContact: string | null = null): Record<string, unknown> {
  const t = tFor(locale);
  const vars = { ...typeWords(t, request.type), code: request.code, note: note ?? "" };
  let text = t(`officer.member.status.${to}`, vars);
  if (note && (to === "ditelaah" || to === "ditindaklanjuti")) text += t("officer.member.note", { note });
  // A request the office cannot help with: where else to ask.
  if (to === "ditolak" && officeContact) text += t("help.office_contact", { contact: officeContact });
  // The Jawab button only where a question waits for the member.
  return { text, ...(to === "perlu_info" ? { reply_markup: answerKeyboard(t, request.id) } : {}) };
}

/**
 * The user's words escaped for HTML within `max` characters as Telegram counts them (after parsing):
 * cut before escaping, between graphemes (with "…"), so a cut never splits an entity such as `&amp;`
 * or an emoji.
 */
export function escapeWithin(text: string, max: number): string {
  // Counted as Telegram counts: an escaped "&amp;" shows as one character.
  if (text.length <= max) return escapeHtml(text);
  let out = "";
  let shown = 0;
  for (const g of eachGrapheme(text)) {
    if (shown + g.length > max - 1) break;
    out += escapeHtml(g);
    shown += g.length;
  }
  return `${out}…`;
}

/**
 * Text or media with a caption: a header line (HTML) and the user's own words (escaped here);
 * `textFooter` (HTML) ends a text message (not a caption).
 */
export function mediaMessage(
  chatId: number | null,
  header: string,
  content: { text?: string; photo?: string; voice?: string },
  extra: Record<string, unknown> = {},
  textFooter?: string,
): { method: string; payload: Record<string, unknown> } {
  // Telegram's limits (1024 for a caption, 4096 for a text) hold for the header, a blank line and the words.
  const words = (max: number) => (content.text ? escapeWithin(content.text, Math.max(0, max - visibleLength(header) - 2)) : "");
  if (content.photo || content.voice) {
    const text = words(TELEGRAM_CAPTION_MAX);
    const caption = text ? `${header}\n\n${text}` : header;
    const method = content.photo ? "sendPhoto" : "sendVoice";
    const file = content.photo ? { photo: content.photo } : { voice: content.voice };
    return { method, payload: { ...(chatId !== null ? { chat_id: chatId } : {}), ...file, caption, ...extra } };
  }
  const footer = textFooter ? `\n\n${textFooter}` : "";
  return {
    method: "sendMessage",
    payload: { ...(chatId !== null ? { chat_id: chatId } : {}), text: `${header}\n\n${words(TELEGRAM_TEXT_MAX - visibleLength(footer))}${footer}`, ...extra },
  };
}

/** The claim's private message: the member's phone, for the officer only. */
export function renderContact(data: CardData): string {
  const t = tFor(STAFF_LOCALE);
  const { request: r, member, sentra } = data;
  const place = { code: r.code, type: typeLabel(t, r), sentra: sentra?.name ?? t("officer.card.no_sentra"), kecamatan: r.kecamatan };
  if (r.onBehalf) {
    return t("officer.contact.text_for", {
      ...place,
      name: r.onBehalf.name,
      phone: r.onBehalf.phone ?? t("officer.contact.no_phone_for"),
      chair: member?.name ?? "—",
      chairPhone: member?.phone ?? t("officer.contact.no_phone"),
    });
  }
  return t("officer.contact.text", {
    ...place,
    name: member?.name ?? "—",
    business: member?.businessName ?? "—",
    phone: member?.phone ?? t("officer.contact.no_phone"),
  });
}
