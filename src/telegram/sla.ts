/**
 * How service levels look in Telegram: the card's deadline lines, the suffix of /antrian and
 * /tugasku lines, and the scheduled jobs' messages (the officers' digest, an officer's reminder, an
 * escalation to an admin, the member's reminder), rendered when sent from the database as it is then.
 */
import { tFor, type TFunction } from "../i18n";
import type { Locale } from "../config";
import type { OutboxItem, OutboxMessage } from "../domain/outbox";
import type { RequestView } from "../domain/requests";
import { findRequestById } from "../domain/requests";
import { loadCalendar } from "../domain/holidays";
import { slaStanding, type SlaStanding } from "../domain/deadlines";
import { STAFF_LOCALE } from "../domain/officer-actions";
import { officerNames } from "../domain/officers";
import { memberLabels } from "../domain/members";
import { formatWita, formatWitaDate, formatWitaDayShort } from "../lib/time";
import { clipText } from "../lib/text";
import type { Calendar } from "../domain/working-days";

/** How many requests each list of a digest names (the rest is counted). */
export const DIGEST_LIST_MAX = 10;

/** " ⏰ terlambat 2 hari kerja" / " (hari ini)" / "" */
function mark(t: TFunction, s: SlaStanding): string {
  if (s.overdue) return t("sla.overdue_mark", { count: s.overdueDays });
  if (s.dueToday) return t("sla.due_today_mark");
  return "";
}

/** The card's lines: age in working days, the current step's due date (⏰ when overdue), an escalation. */
export function cardSlaLines(t: TFunction, r: RequestView, sla: { standing: SlaStanding; now: Date } | undefined): string[] {
  const lines: string[] = [];
  if (sla) lines.push(t("sla.card_age", { count: sla.standing.ageDays, today: formatWitaDayShort(sla.now, STAFF_LOCALE) }));
  if (r.sla.step === "member" && r.sla.infoAskedAt) lines.push(t("sla.card_waiting_member", { at: formatWita(r.sla.infoAskedAt, STAFF_LOCALE) }));
  else if (r.sla.step && r.sla.dueAt) {
    lines.push(t("sla.card_due", { step: t(`sla.step.${r.sla.step}`), due: formatWitaDate(r.sla.dueAt, STAFF_LOCALE) }) + (sla ? mark(t, sla.standing) : ""));
  }
  if (r.sla.escalatedAt && r.sla.step) lines.push(t("sla.card_escalated", { at: formatWita(r.sla.escalatedAt, STAFF_LOCALE) }));
  return lines;
}

/** The second line of a request in /antrian and /tugasku: its age, its due date, ⏰ when overdue. */
export function listSlaLine(t: TFunction, locale: Locale, r: RequestView, s: SlaStanding): string {
  const due = r.sla.dueAt && r.sla.step ? t("sla.list_due", { step: t(`sla.step.${r.sla.step}`), due: formatWitaDayShort(r.sla.dueAt, locale) }) : "";
  return t("sla.list_line", { count: s.ageDays, due }) + mark(t, s);
}

/** For /status: by when the member hears from the office (nothing when closed or waiting for them). */
export function memberDueLine(t: TFunction, locale: Locale, r: RequestView): string {
  if (!r.sla.dueAt || !r.sla.step || r.sla.step === "member") return "";
  return t("sla.member_due_line", { what: t(`sla.member_step.${r.sla.step}`), date: formatWitaDate(r.sla.dueAt, locale) });
}

/** A request's line in a digest or reminder. */
function digestLine(t: TFunction, r: RequestView, s: SlaStanding, business: string | undefined, officer: string | undefined): string {
  return t("sla.digest_line", {
    code: r.code,
    type: t(`labels.type.${r.type}`),
    business: clipText(business ?? "—", 40),
    who: officer ? t("sla.digest_who", { officer: clipText(officer, 40) }) : "",
    late: mark(t, s),
  });
}

async function loadAll(ids: string[]): Promise<RequestView[]> {
  return (await Promise.all(ids.map((id) => findRequestById(id)))).filter((r): r is RequestView => r !== null);
}

async function renderDigest(m: Extract<OutboxMessage, { type: "sla_digest" }>, now: Date, calendar: Calendar): Promise<string | "gone"> {
  const t = tFor(STAFF_LOCALE);
  const lists = { unclaimed: await loadAll(m.unclaimed), dueToday: await loadAll(m.dueToday), overdue: await loadAll(m.overdue), waiting: await loadAll(m.waiting) };
  const all = Object.values(lists).flat();
  if (all.length === 0) return "gone";
  const [labels, names] = await Promise.all([memberLabels(all.map((r) => r.memberId)), officerNames(all.map((r) => r.assigneeTelegramId).filter((x): x is number => x !== null))]);
  const parts = [t("sla.digest_title", { date: formatWitaDate(now, STAFF_LOCALE) })];
  for (const key of ["overdue", "dueToday", "unclaimed", "waiting"] as const) {
    const rs = lists[key];
    if (rs.length === 0) continue;
    const lines = rs
      .slice(0, DIGEST_LIST_MAX)
      .map((r) =>
        digestLine(
          t,
          r,
          slaStanding(r, now, calendar),
          labels.get(r.memberId)?.businessName,
          r.assigneeTelegramId !== null ? (names.get(r.assigneeTelegramId) ?? String(r.assigneeTelegramId)) : undefined,
        ),
      );
    if (rs.length > DIGEST_LIST_MAX) lines.push(t("sla.digest_more", { n: rs.length - DIGEST_LIST_MAX }));
    parts.push([t(`sla.digest_${key}`, { count: rs.length }), ...lines].join("\n"));
  }
  parts.push(t("sla.digest_hint"));
  return parts.join("\n\n");
}

async function renderOfficer(m: Extract<OutboxMessage, { type: "sla_officer" }>, now: Date, calendar: Calendar): Promise<string | "gone"> {
  const t = tFor(STAFF_LOCALE);
  const rs = (await loadAll(m.requestIds)).filter((r) => slaStanding(r, now, calendar).overdue);
  if (rs.length === 0) return "gone";
  const lines = rs.slice(0, DIGEST_LIST_MAX * 2).map((r) => {
    const s = slaStanding(r, now, calendar);
    return t("sla.officer_line", {
      code: r.code,
      type: t(`labels.type.${r.type}`),
      step: t(`sla.step.${r.sla.step ?? "followup"}`),
      due: formatWitaDayShort(r.sla.dueAt ?? now, STAFF_LOCALE),
      count: s.overdueDays,
    });
  });
  return [t("sla.officer_title", { count: rs.length }), ...lines, "", t("sla.officer_hint")].join("\n");
}

async function renderEscalation(item: OutboxItem, now: Date, calendar: Calendar): Promise<string | "gone"> {
  const t = tFor(STAFF_LOCALE);
  const r = item.requestId ? await findRequestById(item.requestId) : null;
  if (!r || !r.sla.dueAt || !r.sla.step) return "gone";
  const s = slaStanding(r, now, calendar);
  const names = r.assigneeTelegramId !== null ? await officerNames([r.assigneeTelegramId]) : new Map<number, string>();
  const officer = r.assigneeTelegramId !== null ? (names.get(r.assigneeTelegramId) ?? String(r.assigneeTelegramId)) : t("sla.nobody");
  return t("sla.escalation", {
    code: r.code,
    type: t(`labels.type.${r.type}`),
    step: t(`sla.step.${r.sla.step}`),
    due: formatWitaDate(r.sla.dueAt, STAFF_LOCALE),
    count: s.overdueDays,
    age: s.ageDays,
    officer,
    kecamatan: r.kecamatan,
  });
}

/**
 * The call for a scheduled job's message, or "gone" when there is nothing to say any more (the
 * requests were closed or answered meanwhile). `memberT` and `answerKeyboard` come from render.ts.
 */
export async function renderSlaMessage(
  item: OutboxItem,
  message: Extract<OutboxMessage, { type: "sla_digest" | "sla_officer" | "sla_escalation" | "sla_info_reminder" }>,
  now: Date,
  member: (r: RequestView) => Promise<{ t: TFunction; keyboard: Record<string, unknown> }>,
): Promise<{ method: string; payload: Record<string, unknown> } | "gone"> {
  const calendar = await loadCalendar();
  if (message.type === "sla_info_reminder") {
    const r = item.requestId ? await findRequestById(item.requestId) : null;
    if (!r || r.status !== "perlu_info") return "gone";
    const question = [...r.timeline].reverse().find((e) => e.kind === "status" && e.to === "perlu_info")?.note ?? "";
    const { t, keyboard } = await member(r);
    const text = t("sla.info_reminder", { code: r.code, type: t(`labels.type.${r.type}`), question: clipText(question, 1000) });
    return { method: "sendMessage", payload: { text, reply_markup: keyboard } };
  }
  const text =
    message.type === "sla_digest"
      ? await renderDigest(message, now, calendar)
      : message.type === "sla_officer"
        ? await renderOfficer(message, now, calendar)
        : await renderEscalation(item, now, calendar);
  return text === "gone" ? "gone" : { method: "sendMessage", payload: { text } };
}
