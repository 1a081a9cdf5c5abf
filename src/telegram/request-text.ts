/**
 * How requests read in a chat: a request's line in a list, its detail with the timeline (the
 * member's and the chairperson's `/status KODE`), the staff view (staff's `/status KODE`) and the
 * chairperson's overview of a sentra. HTML, values escaped; every text within Telegram's limit as
 * Telegram counts it (lib/text.ts), split into several messages where it is long, never cut inside
 * a tag or an entity.
 */
import { escapeHtml, type TFunction } from "../i18n";
import { formatWita, fromNow } from "../lib/time";
import { clipText, cutHtml, linesToMessages, visibleLength } from "../lib/text";
import { TELEGRAM_TEXT_MAX } from "../lib/limits";
import type { RequestView } from "../domain/requests";
import { isDeliveryRecord, lastChangeAt, type Page } from "../domain/queries";
import { STATUSES, type Status } from "../vocabulary/statuses";
import { SILENT_CLOSURE_WORKING_DAYS } from "../vocabulary/closure-states";
import { describeAnswers, requestDefinition } from "../domain/request-definitions";
import { starsOf } from "./closure-card";
import { memberDueLine } from "./sla";
import type { CardData } from "./render";

/** "📥 KMS-2611-007 · Bantuan kemasan — Diterima, 2 hari lalu (26 Nov 2026 14.05 WITA)" */
export function requestLine(t: TFunction, locale: string, r: RequestView, now: Date): string {
  return t("status.line", {
    icon: t(`labels.status_icon.${r.status}`),
    code: r.code,
    type: t(`labels.type.${r.type}`),
    status: t(`labels.status.${r.status}`),
    ago: fromNow(lastChangeAt(r), now, locale),
    date: formatWita(lastChangeAt(r), locale),
  });
}

/** The request's timeline, a line per entry (delivery records for staff only). */
export function timelineLines(t: TFunction, locale: string, r: RequestView, staff: boolean): string[] {
  // Delivery records (Telegram's raw errors) and officers' internal notes are for staff only.
  const entries = staff ? r.timeline : r.timeline.filter((e) => !isDeliveryRecord(e) && e.kind !== "note");
  return entries.map((e) => {
    const when = formatWita(e.at, locale);
    const what =
      e.kind === "created" ? t("status.tl_created") : e.kind === "status" && e.to ? t(`labels.status.${e.to}`) : t(`status.tl_${e.kind}`, { days: SILENT_CLOSURE_WORKING_DAYS });
    const note = e.note ? `\n    <i>${escapeHtml(e.note)}</i>` : "";
    const stars = e.stars ? ` ${starsOf(e.stars)}` : "";
    return `• ${escapeHtml(when)} — ${escapeHtml(what)}${stars}${note}`;
  });
}

/**
 * One request with its timeline, in the reader's language and WITA, as one message or, for a long
 * conversation, several (the head in the first, the timeline's entries never split unless one alone
 * is longer than a message). Records of failed deliveries (Telegram's raw error text) are for
 * officers and admins (`staff`) only.
 */
export function requestDetail(t: TFunction, locale: string, r: RequestView, staff = false): string[] {
  // By when the office answers (the current step's deadline, in working days).
  const due = memberDueLine(t, locale === "en" ? "en" : "id", r);
  const head =
    t("status.detail", {
      code: r.code,
      type: t(`labels.type.${r.type}`),
      status: t(`labels.status.${r.status}`),
      created: formatWita(r.createdAt, locale),
    }) + (due ? `\n${due}` : "");
  return linesToMessages(head, ["", t("status.timeline"), ...timelineLines(t, locale, r, staff)]);
}

/** A supergroup message's link (t.me/c/…): only supergroups and channels have one. */
export function messageLink(chatId: number, messageId: number): string | null {
  const s = String(chatId);
  return s.startsWith("-100") ? `https://t.me/c/${s.slice(4)}/${messageId}` : null;
}

/** The staff view of one request, as messages (member, sentra, answers, timeline, the card's link). */
export function staffView(t: TFunction, locale: string, data: CardData): string[] {
  const { request: r, member, sentra, names } = data;
  // Values given to t() are escaped by i18next.
  const who = (id: number | null) => (id === null ? t("status.staff_nobody") : (names.get(id) ?? String(id)));
  const head = t("status.staff_view", {
    code: r.code,
    type: t(`labels.type.${r.type}`),
    status: t(`labels.status.${r.status}`),
    member: member?.name ? `${member.name} — ${member.businessName ?? "—"}` : t("status.staff_member_erased"),
    sentra: sentra?.name ?? t("officer.card.no_sentra"),
    kecamatan: r.kecamatan,
    routed: who(r.routedToTelegramId),
    assignee: who(r.assigneeTelegramId),
    photos: r.attachments.filter((a) => a.kind === "photo").length,
    voices: r.attachments.filter((a) => a.kind === "voice").length,
    created: formatWita(r.createdAt, locale),
  });
  const answers = describeAnswers(requestDefinition(r.type), r.answers, r.attachments, (k, v) => t(k, v ?? {})).map(
    (a) => `• ${escapeHtml(a.label)}: ${escapeHtml(clipText(a.value, 300))}`,
  );
  const link = r.card?.chatId && r.card.messageId ? messageLink(r.card.chatId, r.card.messageId) : null;
  return linesToMessages(head, [
    "",
    t("status.staff_answers"),
    ...answers,
    "",
    t("status.timeline"),
    ...timelineLines(t, locale, r, true),
    ...(link ? ["", t("status.staff_card_link", { url: link })] : []),
  ]);
}

/** The member's list of their own requests, one page (with each one's deadline). */
export function memberListText(t: TFunction, locale: string, page: Page<RequestView>, now: Date): string {
  const body = page.items
    .map((r) => {
      const due = memberDueLine(t, locale === "en" ? "en" : "id", r);
      return `${requestLine(t, locale, r, now)}${due ? `\n${due}` : ""}`;
    })
    .join("\n\n");
  return cutHtml(`${t("status.mine_title", { total: page.total, page: page.page + 1, pages: page.pages })}\n\n${body}`, TELEGRAM_TEXT_MAX);
}

/** The closing note of a finished or declined request (what was done, or the reason). */
function closingNote(r: RequestView): string | undefined {
  return [...r.timeline].reverse().find((e) => e.kind === "status" && e.to === r.status)?.note;
}

export interface SentraOverview {
  sentra: { name: string };
  counts: Record<Status, number>;
  open: Page<RequestView>;
  closed: RequestView[];
  /** The member and business of each request's member (by member id); missing: erased. */
  names: Map<string, { name: string; businessName?: string | null }>;
  month?: string;
}

/** How long a closing note may be, tried in turn until the overview fits in one message. */
const NOTE_SHARES = [200, 80, 30, 0];

/**
 * The chairperson's view of their sentra, one message (it is edited in place by the page buttons):
 * counts by status, the open requests (oldest first, each with whose it is) and the recently
 * finished or declined ones with the officer's note or reason; the notes shrink until it fits.
 */
export function sentraOverviewText(t: TFunction, locale: string, o: SentraOverview, now: Date): string {
  const whose = (r: RequestView) => {
    if (r.onBehalf) return t("status.sentra_whose_for", { member: r.onBehalf.name });
    const m = o.names.get(r.memberId);
    return t("status.sentra_whose", { member: m ? `${m.name} — ${m.businessName || "—"}` : t("status.staff_member_erased") });
  };
  const summary = STATUSES.map((s) => `${t(`labels.status_icon.${s}`)} ${t(`labels.status.${s}`)}: <b>${o.counts[s]}</b>`).join("\n");
  const body = o.open.items.length ? o.open.items.map((r) => `${requestLine(t, locale, r, now)}\n${whose(r)}`).join("\n\n") : t("status.sentra_no_open");
  const title = o.month ? t("status.sentra_title_month", { sentra: o.sentra.name, month: o.month }) : t("status.sentra_title", { sentra: o.sentra.name });
  let text = "";
  for (const share of NOTE_SHARES) {
    const closedLines = o.closed.map((r) => {
      const note = share ? closingNote(r) : undefined;
      return `${requestLine(t, locale, r, now)}\n${whose(r)}${note ? `\n${t("status.sentra_closing_note", { note: clipText(note, share) })}` : ""}`;
    });
    const parts = [
      `${title}\n${summary}`,
      `${t("status.sentra_open", { total: o.open.total, page: o.open.page + 1, pages: o.open.pages })}\n\n${body}`,
      ...(closedLines.length ? [`${t("status.sentra_closed")}\n\n${closedLines.join("\n\n")}`] : []),
      ...(o.month ? [] : [t("status.sentra_month_hint")]),
    ];
    text = parts.join("\n\n");
    if (visibleLength(text) <= TELEGRAM_TEXT_MAX) return text;
  }
  return cutHtml(text, TELEGRAM_TEXT_MAX);
}
