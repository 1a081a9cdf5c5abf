/**
 * Staff dialogues for programs, in a private chat, entered only after the caller was checked as an
 * officer or admin (features/program-staff.ts): a new program (title, kind, who it is for, when,
 * where, seats, deadline, licences required, contact; a summary to confirm), then announced and
 * offered the open requests it matches; and, for a program, a change of date or place, marking it
 * done, or cancelling it (each confirmed). Times are typed in WITA.
 */
import type { Dialogue, DialogueContext } from "../context";
import { ask, checkText, wrongInputText } from "./ask";
import { askChoice, askMulti, askNumber, askText, askYesNo } from "./ask-choices";
import { KECAMATAN } from "../../vocabulary/kecamatan";
import { REQUEST_TYPES } from "../../vocabulary/request-types";
import { LICENCES, PROGRAM_KINDS, type ProgramKind } from "../../vocabulary/programs";
import { listSentras } from "../../domain/sentras";
import {
  createProgram,
  findProgram,
  firstStart,
  PROGRAM_SEATS_MAX,
  PROGRAM_SESSIONS_MAX,
  PROGRAM_TEXT_MAX,
  PROGRAM_TITLE_MAX,
  type Audience,
  type ProgramInput,
} from "../../domain/programs";
import { announceProgram } from "../../domain/program-notices";
import { cancelProgram, changeProgram, completeProgram, linkRequests, matchingRequests } from "../../domain/program-actions";
import { programDetails } from "../../telegram/program-messages";
import { parseWitaDateTime, witaTimeOn } from "../../lib/time";
import { audit } from "../../domain/audit";
import { fullName } from "../staff";
import { staffRole } from "../../domain/officers";
import type { Actor } from "../../domain/workflow";
import { changeBasis } from "../change-basis";

export const PROGRAM_NEW_ID = "program_new";

/** The caller as staff, checked again at the moment of the change (a role may have gone meanwhile). */
async function staffActor(ctx: DialogueContext): Promise<Actor | null> {
  const role = await staffRole(ctx.from!.id, ctx.config.adminIds);
  return role ? { telegramId: ctx.from!.id, role, name: fullName(ctx.from!) } : null;
}
export const PROGRAM_EDIT_ID = "program_edit";

/** A WITA date and time typed as "14/01/2027 09:00" (a date alone: `defaultTime`), after `after`. */
function askWhen(conversation: Dialogue, ctx: DialogueContext, o: { prompt: string; after: Date; notAfter?: Date; defaultTime?: string; tooEarly?: string }): Promise<Date> {
  return ask(conversation, ctx, {
    send: (c) => c.reply(o.prompt),
    judge: (input) => {
      if (input.kind !== "text") return { ok: false, error: wrongInputText(input.ctx, input, "text") };
      const checked = checkText(input.ctx, input.text, 40, true);
      if (!checked.ok) return checked;
      const at = parseWitaDateTime(checked.value, o.defaultTime);
      if (!at) return { ok: false, error: input.ctx.t("program_staff.when_invalid") };
      if (at <= o.after) return { ok: false, error: o.tooEarly ?? input.ctx.t("program_staff.when_past") };
      if (o.notAfter && at > o.notAfter) return { ok: false, error: input.ctx.t("program_staff.deadline_after_start") };
      return { ok: true, value: at };
    },
  });
}

/**
 * One session or several (a two-day training; a weekly mentoring): each a start and an optional end
 * time that day, each after the one before, up to PROGRAM_SESSIONS_MAX. `first`: the first start's prompt.
 */
async function askSessions(conversation: Dialogue, ctx: DialogueContext, first: string, now: Date): Promise<ProgramInput["sessions"]> {
  const sessions: ProgramInput["sessions"] = [];
  for (;;) {
    const n = sessions.length + 1;
    const after = sessions.at(-1)?.startsAt ?? now;
    const startsAt = await askWhen(conversation, ctx, {
      prompt: n === 1 ? first : ctx.t("program_staff.ask_next_start", { n }),
      after,
      defaultTime: "09:00",
      ...(n > 1 ? { tooEarly: ctx.t("program_staff.session_not_after", { n: n - 1 }) } : {}),
    });
    const until = await askText(conversation, ctx, { prompt: ctx.t("program_staff.ask_end"), max: 5, suggestions: [{ label: ctx.t("dialog.skip"), value: "-" }] });
    const end = until === "-" ? null : witaTimeOn(startsAt, until);
    sessions.push({ startsAt, endsAt: end && end > startsAt ? end : null });
    if (sessions.length >= PROGRAM_SESSIONS_MAX) return sessions;
    if (!(await askYesNo(conversation, ctx, { prompt: ctx.t("program_staff.ask_more_sessions", { n: sessions.length }) }))) return sessions;
  }
}

async function askAudience(conversation: Dialogue, ctx: DialogueContext): Promise<Audience> {
  const none: Audience = { all: false, sentraIds: [], kecamatan: [], requestTypes: [] };
  const scope = await askChoice(conversation, ctx, {
    prompt: ctx.t("program_staff.ask_audience"),
    choices: (["sentra", "kecamatan", "requests", "all"] as const).map((value) => ({ value, label: ctx.t(`program_staff.audience_${value}`) })),
  });
  if (scope === "all") return { ...none, all: true };
  if (scope === "kecamatan")
    return {
      ...none,
      kecamatan: await askMulti(conversation, ctx, { prompt: ctx.t("program_staff.ask_kecamatan"), choices: KECAMATAN.map((k) => ({ value: k, label: k })), columns: 2 }),
    };
  if (scope === "requests") {
    const requestTypes = await askMulti(conversation, ctx, {
      prompt: ctx.t("program_staff.ask_types"),
      choices: REQUEST_TYPES.map((x) => ({ value: x, label: ctx.t(`labels.type.${x}`) })),
    });
    return { ...none, requestTypes };
  }
  const sentras = await conversation.external(() => listSentras());
  if (sentras.length === 0) {
    await ctx.reply(ctx.t("admin.no_sentras"));
    return { ...none, all: true };
  }
  return {
    ...none,
    sentraIds: await askMulti(conversation, ctx, { prompt: ctx.t("program_staff.ask_sentras"), choices: sentras.slice(0, 40).map((s) => ({ value: s.id, label: s.name })) }),
  };
}

export async function programNew(conversation: Dialogue, ctx: DialogueContext) {
  const by = ctx.from!.id;
  const title = await askText(conversation, ctx, { prompt: ctx.t("program_staff.ask_title"), max: PROGRAM_TITLE_MAX });
  const kind = await askChoice<ProgramKind>(conversation, ctx, {
    prompt: ctx.t("program_staff.ask_kind"),
    choices: PROGRAM_KINDS.map((k) => ({ value: k, label: ctx.t(`program.kind.${k}`) })),
  });
  const audience = await askAudience(conversation, ctx);
  const now = new Date(await conversation.now());
  const sessions = await askSessions(conversation, ctx, ctx.t("program_staff.ask_start"), now);
  const startsAt = firstStart({ sessions });
  const place = await askText(conversation, ctx, { prompt: ctx.t("program_staff.ask_place"), max: PROGRAM_TEXT_MAX, multiline: true });
  const seats = await askNumber(conversation, ctx, {
    prompt: ctx.t("program_staff.ask_seats"),
    min: 1,
    max: PROGRAM_SEATS_MAX,
    parse: (x) => (/^\d{1,4}$/.test(x.trim()) ? Number(x) : undefined),
    format: String,
  });
  const deadline = await askWhen(conversation, ctx, { prompt: ctx.t("program_staff.ask_deadline"), after: now, notAfter: startsAt, defaultTime: "23:59" });
  const requires = await askMulti(conversation, ctx, {
    prompt: ctx.t("program_staff.ask_requires"),
    choices: LICENCES.map((l) => ({ value: l, label: ctx.t(`program.licence.${l}`) })),
    min: 0,
  });
  const allowIncomplete = requires.length ? await askYesNo(conversation, ctx, { prompt: ctx.t("program_staff.ask_incomplete") }) : false;
  const contact = await askText(conversation, ctx, {
    prompt: ctx.t("program_staff.ask_contact"),
    max: PROGRAM_TEXT_MAX,
    suggestions: [{ label: ctx.t("dialog.skip"), value: "-" }],
  });
  const input: ProgramInput = {
    title,
    kind,
    audience,
    sessions,
    place,
    seats,
    deadline,
    requires,
    allowIncomplete,
    contact: contact === "-" ? null : contact,
  };
  const preview = { ...input, id: "", code: "—", status: "open" as const, cancelReason: null, requestIds: [], createdBy: by, announcedAt: null };
  const ok = await askYesNo(conversation, ctx, { prompt: `${ctx.t("program_staff.confirm")}\n\n${programDetails(ctx.t, preview, ctx.locale)}` });
  if (!ok) return void (await ctx.reply(ctx.t("admin.nothing_changed")));
  const at = new Date(await conversation.now());
  const saved = await conversation.external(async () => {
    const p = await createProgram(input, by, at);
    await audit(by, "program.create", { programId: p.id, code: p.code }, at);
    const announced = await announceProgram(p.id, at);
    return { p, announced, matching: (await matchingRequests(p)).length };
  });
  await ctx.reply(ctx.t("program_staff.created", { code: saved.p.code, title: saved.p.title, count: saved.announced }));
  if (saved.matching === 0) return;
  if (!(await askYesNo(conversation, ctx, { prompt: ctx.t("program_staff.ask_link", { count: saved.matching }) }))) return;
  const linked = await conversation.external(async () => {
    const actor = await staffActor(ctx);
    if (!actor) return 0;
    const ids = (await matchingRequests(saved.p)).map((r) => r.id);
    return (await linkRequests(saved.p.id, ids, actor, ctx.t("program_staff.linked_note", { code: saved.p.code, title: saved.p.title }), changeBasis(ctx, at))).length;
  });
  await ctx.reply(ctx.t("program_staff.linked", { count: linked, code: saved.p.code }));
}

/** Change the date or place, mark done, or cancel a program (`op`), confirmed. */
export async function programEdit(conversation: Dialogue, ctx: DialogueContext, args: { op: "change" | "done" | "cancel"; programId: string }) {
  const p = await conversation.external(() => findProgram(args.programId));
  if (!p || p.status !== "open") return void (await ctx.reply(ctx.t("program_staff.not_open")));
  const by = ctx.from!.id;
  if (args.op === "cancel") {
    const reason = await askText(conversation, ctx, { prompt: ctx.t("program_staff.ask_cancel_reason", { code: p.code }), max: PROGRAM_TEXT_MAX });
    if (!(await askYesNo(conversation, ctx, { prompt: ctx.t("program_staff.confirm_cancel", { code: p.code, title: p.title }) })))
      return void (await ctx.reply(ctx.t("admin.nothing_changed")));
    const at = new Date(await conversation.now());
    await conversation.external(() => cancelProgram(p.id, reason, by, at));
    return void (await ctx.reply(ctx.t("program_staff.cancelled", { code: p.code })));
  }
  if (args.op === "done") {
    if (!(await askYesNo(conversation, ctx, { prompt: ctx.t("program_staff.confirm_done", { code: p.code, title: p.title }) })))
      return void (await ctx.reply(ctx.t("admin.nothing_changed")));
    const at = new Date(await conversation.now());
    const resolved = await conversation.external(async () => {
      const actor = await staffActor(ctx);
      return actor ? ((await completeProgram(p.id, actor, ctx.t("program_staff.done_note", { code: p.code, title: p.title }), changeBasis(ctx, at))) ?? []).length : 0;
    });
    return void (await ctx.reply(ctx.t("program_staff.done", { code: p.code, count: resolved })));
  }
  const now = new Date(await conversation.now());
  const sessions = await askSessions(conversation, ctx, ctx.t("program_staff.ask_new_start"), now);
  const place = await askText(conversation, ctx, {
    prompt: ctx.t("program_staff.ask_new_place"),
    max: PROGRAM_TEXT_MAX,
    multiline: true,
    suggestions: [{ label: ctx.t("program_staff.keep_place"), value: "-" }],
  });
  const deadline = p.deadline > firstStart({ sessions }) ? firstStart({ sessions }) : undefined;
  if (!(await askYesNo(conversation, ctx, { prompt: ctx.t("program_staff.confirm_change", { code: p.code }) }))) return void (await ctx.reply(ctx.t("admin.nothing_changed")));
  const at = new Date(await conversation.now());
  await conversation.external(() => changeProgram(p.id, { sessions, ...(place !== "-" ? { place } : {}), ...(deadline ? { deadline } : {}) }, by, at));
  await ctx.reply(ctx.t("program_staff.changed", { code: p.code }));
}
