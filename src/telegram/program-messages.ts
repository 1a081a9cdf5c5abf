/**
 * Every member message about a program, once, as channel-neutral output (text with the locale's
 * HTML, buttons as choices whose ids are the callback data): Telegram sends it as a message with
 * an inline keyboard (`asTelegramCall`), WhatsApp renders the same output (whatsapp/render.ts), so
 * an announcement, a reply to Daftar or a reminder reads the same on both.
 */
import type { TFunction } from "../i18n";
import { escapeHtml } from "../i18n";
import type { Locale } from "../config";
import type { MachineOutput } from "../domain/request-machine";
import { findProgramCached, type ProgramView } from "../domain/programs";
import { seatOf, type Place } from "../domain/program-seats";
import type { JoinOutcome, LeaveOutcome } from "../domain/program-actions";
import { LICENCES, type Licence, type ProgramEvent } from "../vocabulary/programs";
import { formatWita, formatWitaDate } from "../lib/time";
import { LICENCE_BUTTON, LICENCE_PROFILE_BUTTON, PROGRAM_BUTTON, licenceButtonData, licenceProfileData, programButtonData } from "./callback-data";
import { findMemberByTelegramId, type MemberView } from "../domain/members";
import { joinProgram, leaveProgram } from "../domain/program-actions";
import { parseLicenceNumber, setLicence } from "../domain/programs";

/** When: each session in WITA ("Kamis, 14 Januari 2027 09.00 – 12.00 WITA"). */
export function sessionsText(p: Pick<ProgramView, "sessions">, locale: Locale): string {
  return p.sessions.map((s) => `${formatWita(s.startsAt, locale)}${s.endsAt ? ` – ${formatWita(s.endsAt, locale).split(" ").at(-2) ?? ""}` : ""}`).join("\n");
}

export function licenceNames(t: TFunction, licences: readonly Licence[]): string {
  return licences.map((l) => t(`program.licence.${l}`)).join(", ");
}

/** The program as members see it: what, when, where, seats, deadline, requirements, contact. */
export function programDetails(t: TFunction, p: ProgramView, locale: Locale): string {
  return [
    t("program.details", {
      title: escapeHtml(p.title),
      code: p.code,
      kind: t(`program.kind.${p.kind}`),
      when: escapeHtml(sessionsText(p, locale)),
      place: escapeHtml(p.place),
      seats: p.seats,
      deadline: formatWita(p.deadline, locale),
    }),
    ...(p.requires.length ? [t(p.allowIncomplete ? "program.requires_soft" : "program.requires", { list: licenceNames(t, p.requires) })] : []),
    ...(p.contact ? [t("program.contact", { contact: escapeHtml(p.contact) })] : []),
  ].join("\n");
}

const joinChoices = (t: TFunction, p: ProgramView) => [
  { id: programButtonData("j", p.id), label: t("program.btn.join") },
  { id: programButtonData("x", p.id), label: t("program.btn.decline") },
];
const leaveChoice = (t: TFunction, p: ProgramView) => [{ id: programButtonData("c", p.id), label: t("program.btn.leave") }];

export function announcement(t: TFunction, p: ProgramView, locale: Locale): MachineOutput {
  return { text: `${t("program.announce")}\n\n${programDetails(t, p, locale)}`, choices: joinChoices(t, p) };
}

function placeText(t: TFunction, p: ProgramView, place: Place): string {
  return place.kind === "seat" ? t("program.place_seat", { rank: place.rank, seats: p.seats }) : t("program.place_waiting", { position: place.position });
}

/** The answer to Daftar (and to a licence answered on the way). */
export function joinReply(t: TFunction, r: JoinOutcome, locale: Locale, now: Date): MachineOutput {
  if (r.kind === "gone") return { text: t("program.gone") };
  const p = r.program;
  const vars = { title: escapeHtml(p.title), code: p.code, deadline: formatWita(p.deadline, locale) };
  switch (r.kind) {
    case "registered":
    case "already": {
      const lead = t(r.kind === "registered" ? (r.place.kind === "seat" ? "program.registered" : "program.waitlisted") : "program.already", vars);
      const incomplete = r.incomplete ? `\n${t("program.incomplete", { list: licenceNames(t, p.requires) })}` : "";
      return { text: `${lead}\n${placeText(t, p, r.place)}${incomplete}`, choices: p.status === "open" && p.deadline > now ? leaveChoice(t, p) : [] };
    }
    case "ask_licence":
      return {
        text: t("program.licence_ask", { ...vars, licence: t(`program.licence.${r.licence}`) }),
        choices: [
          { id: licenceButtonData(true, r.licence, p.id), label: t("program.btn.licence_yes") },
          { id: licenceButtonData(false, r.licence, p.id), label: t("program.btn.licence_no") },
        ],
      };
    case "missing":
      return { text: t("program.missing", { ...vars, list: licenceNames(t, r.missing) }) };
    case "not_for_you":
    case "deadline":
    case "cancelled":
    case "done":
      return { text: t(`program.refused_${r.kind}`, vars) };
  }
}

export function leaveReply(t: TFunction, r: LeaveOutcome, locale: Locale): MachineOutput {
  if (r.kind === "gone") return { text: t("program.gone") };
  return { text: t(`program.leave_${r.kind}`, { title: escapeHtml(r.program.title), code: r.program.code, deadline: formatWita(r.program.deadline, locale) }) };
}

export function declineReply(t: TFunction): MachineOutput {
  return { text: t("program.declined") };
}

/** An outbox notice (program-notices.ts), written from the program as it is now; null: nothing to say any more. */
export async function programNotice(t: TFunction, programId: string, event: ProgramEvent, recipient: number, locale: Locale, now: Date): Promise<MachineOutput | null> {
  const p = await findProgramCached(programId);
  if (!p) return null;
  if (event === "announce") return p.status === "open" && p.deadline > now ? announcement(t, p, locale) : null;
  if (event === "cancelled") return { text: t("program.notice_cancelled", { title: escapeHtml(p.title), code: p.code, reason: escapeHtml(p.cancelReason ?? "") }) };
  if (p.status !== "open") return null;
  const mine = await seatOf(p.id, recipient, p.seats);
  if (!mine) return null;
  const details = programDetails(t, p, locale);
  if (event === "seat")
    return mine.place.kind === "seat" ? { text: `${t("program.notice_seat", { title: escapeHtml(p.title) })}\n\n${details}`, choices: leaveChoice(t, p) } : null;
  if (event === "registered_by_chair")
    return { text: `${t("program.notice_registered_by_chair", { title: escapeHtml(p.title) })} ${placeText(t, p, mine.place)}\n\n${details}`, choices: leaveChoice(t, p) };
  if (event === "changed") return { text: `${t("program.notice_changed", { title: escapeHtml(p.title) })}\n\n${details}`, choices: leaveChoice(t, p) };
  if (mine.place.kind !== "seat") return null;
  return { text: `${t(`program.notice_${event}`, { title: escapeHtml(p.title), date: formatWitaDate(p.sessions[0].startsAt, locale) })}\n\n${details}` };
}

/** /program for a member: the programs open to them, and theirs with their place. */
export function memberProgramList(
  t: TFunction,
  open: ProgramView[],
  mine: { program: ProgramView; place: Place }[],
  locale: Locale,
  now: Date,
  licences: MemberView["licences"],
): MachineOutput[] {
  // The member's licences last (a program may require them; changed there in one tap).
  if (open.length === 0 && mine.length === 0) return [{ text: t("program.list_none") }, licenceProfile(t, licences)];
  return [
    ...mine.map((m) => ({
      text: `${t("program.list_mine")}\n${programDetails(t, m.program, locale)}\n${placeText(t, m.program, m.place)}`,
      choices: m.program.deadline > now ? leaveChoice(t, m.program) : [],
    })),
    ...open.map((p) => ({ text: programDetails(t, p, locale), choices: joinChoices(t, p) })),
    licenceProfile(t, licences),
  ];
}

/**
 * The member's licences as kept (*Izin usaha saya*): each as answered, and one button per licence
 * that changes it (three buttons, short labels: the same on WhatsApp).
 */
export function licenceProfile(t: TFunction, licences: MemberView["licences"]): MachineOutput {
  const state = (l: Licence) => licences?.[l]?.has ?? null;
  const number = (l: Licence) => (state(l) === "yes" && licences?.[l]?.number ? ` — ${t("program.licence_number", { number: escapeHtml(licences[l]!.number!) })}` : "");
  const lines = LICENCES.map((l) => `• ${t(`program.licence.${l}`)}: ${t(`program.licence_state.${state(l) ?? "unknown"}`)}${number(l)}`);
  return {
    text: `${t("program.licences_title")}\n${lines.join("\n")}\n\n${t("program.licences_hint")}`,
    choices: LICENCES.map((l) => ({
      id: licenceProfileData(l, state(l) !== "yes"),
      label: t(state(l) === "yes" ? "program.licence_set_no" : "program.licence_set_yes", { licence: t(`program.licence_short.${l}`) }),
    })),
  };
}

/**
 * A member typed a licence's number ("NIB 1234567890123"), on either channel outside a dialogue:
 * kept (the licence marked as held) and the licences shown; a number not in its form is explained.
 * Null when the text is no licence number.
 */
export async function licenceNumberReply(typed: string, memberKey: number, t: TFunction): Promise<MachineOutput | null> {
  const parsed = parseLicenceNumber(typed);
  if (!parsed) return null;
  const name = t(`program.licence.${parsed.licence}`);
  if ("invalid" in parsed) return { text: t(`program.licence_number_invalid_${parsed.licence}`, { licence: name }) };
  await setLicence(memberKey, parsed.licence, "yes", parsed.number);
  const profile = licenceProfile(t, (await findMemberByTelegramId(memberKey))?.licences);
  return { ...profile, text: `${t("program.licence_number_saved", { licence: name })}\n\n${profile.text}` };
}

/** The Bot API call for a neutral output (chat_id added by the caller). */
export function asTelegramCall(out: MachineOutput): { method: string; payload: Record<string, unknown> } {
  const keyboard = (out.choices ?? []).map((c) => [{ text: c.label, callback_data: c.id }]);
  return {
    method: "sendMessage",
    payload: { text: out.text, ...(keyboard.length ? { reply_markup: { inline_keyboard: keyboard } } : {}), link_preview_options: { is_disabled: true } },
  };
}

/**
 * A member's press of a program button (Daftar, Tidak bisa, Batal ikut, a licence answer), on
 * either channel: `memberKey` is the sender's, never the button's. Null when the data is not a
 * program button.
 */
export async function programPress(data: string, memberKey: number, t: TFunction, locale: Locale, now: Date): Promise<MachineOutput | null> {
  const press = PROGRAM_BUTTON.exec(data);
  if (press) {
    const [, action, programId] = press;
    if (action === "x") return declineReply(t);
    if (action === "c") return leaveReply(t, await leaveProgram(programId, memberKey, now), locale);
    return joinReply(t, await joinProgram(programId, memberKey, now), locale, now);
  }
  const own = LICENCE_PROFILE_BUTTON.exec(data);
  if (own) {
    await setLicence(memberKey, own[1] as Licence, own[2] === "y" ? "yes" : "no");
    return licenceProfile(t, (await findMemberByTelegramId(memberKey))?.licences);
  }
  const licence = LICENCE_BUTTON.exec(data);
  if (!licence) return null;
  const [, has, which, programId] = licence;
  await setLicence(memberKey, which as Licence, has === "y" ? "yes" : "no");
  // The registration goes on: the next licence asked, or the seat.
  return joinReply(t, await joinProgram(programId, memberKey, now), locale, now);
}
