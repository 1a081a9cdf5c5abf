/**
 * Programs for officers and admins, in their private chat: /programbaru (the dialogue of
 * conversations/program.ts), /program (each open program with its counts and buttons:
 * participants, change, done, cancel), the participants' list with attendance marked by a tap per
 * person, and a program's matching requests linked in one tap. Every command and button checks the
 * sender's role on the server (staffRole), never the button's data; phone numbers are shown to
 * admins only.
 */
import { Composer, InputFile } from "grammy";
import type { BotContext } from "../context";
import type { Clock } from "../../lib/clock";
import { staffRole } from "../../domain/officers";
import { findProgram, listPrograms, type ProgramView } from "../../domain/programs";
import { markAttendance, participants } from "../../domain/program-seats";
import { programRoster } from "../../domain/program-roster";
import { buildProgramWorkbook } from "../../reports/program-workbook";
import { linkRequests, matchingRequests } from "../../domain/program-actions";
import { escapeHtml } from "../../i18n";
import { attendanceButtonData, ATTENDANCE_BUTTON, programStaffButtonData, PROGRAM_STAFF_BUTTON } from "../../telegram/callback-data";
import { programDetails } from "../../telegram/program-messages";
import { PROGRAM_EDIT_ID, PROGRAM_NEW_ID } from "../conversations/program";
import { actorOf, isOwnPrivateChat } from "../staff";
import { changeBasis } from "../change-basis";

/** People per participants' message (one button each, Telegram allows 100 buttons). */
const PAGE = 40;

function staffKeyboard(ctx: BotContext, p: ProgramView) {
  const b = (label: string, action: "p" | "c" | "d" | "x" | "l" | "e") => ({ text: ctx.t(`program_staff.btn_${label}`), callback_data: programStaffButtonData(action, p.id) });
  return {
    inline_keyboard: [[b("participants", "p"), b("export", "e")], [b("link", "l")], [b("change", "c"), b("done", "d"), b("cancel", "x")]],
  };
}

async function summary(ctx: BotContext, p: ProgramView): Promise<string> {
  const list = await participants(p.id, p.seats);
  const seated = list.filter((x) => x.place.kind === "seat").length;
  return `${programDetails(ctx.t, p, ctx.locale)}\n${ctx.t("program_staff.counts", { seated, seats: p.seats, waiting: list.length - seated, requests: p.requestIds.length })}`;
}

async function participantsText(ctx: BotContext, p: ProgramView, withPhone: boolean): Promise<{ text: string; keyboard: { text: string; callback_data: string }[][] }> {
  const list = await programRoster(p, { includePhone: withPhone });
  const lines = list.map((x, i) => {
    const place = x.place.kind === "seat" ? `${i + 1}.` : `⏳${x.place.position}.`;
    const mark = x.attended === true ? " ✅" : x.attended === false ? " ✖️" : "";
    const phone = x.phone ? ` · ${escapeHtml(x.phone)}` : "";
    const sentra = x.sentraName ? ` · ${escapeHtml(x.sentraName)}` : "";
    return `${place} ${escapeHtml(x.name ?? "—")} (${escapeHtml(x.businessName ?? "—")})${sentra}${x.incomplete ? ` · ${ctx.t("program_staff.incomplete")}` : ""}${phone}${mark}`;
  });
  const keyboard = list
    .filter((x) => x.place.kind === "seat")
    .slice(0, PAGE)
    .map((x) => [{ text: `${x.attended ? "✅" : "▫️"} ${(x.name ?? "—").slice(0, 30)}`, callback_data: attendanceButtonData(p.id, x.k) }]);
  const text = [ctx.t("program_staff.participants_title", { code: p.code, title: escapeHtml(p.title) }), ...(lines.length ? lines : [ctx.t("program_staff.no_participants")])].join(
    "\n",
  );
  return { text, keyboard };
}

export function createProgramStaffFeature(deps: { clock: Clock }): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const pm = composer.chatType("private");
  const role = (ctx: BotContext) => (ctx.from ? staffRole(ctx.from.id, ctx.config.adminIds) : Promise.resolve(null));

  pm.command("programbaru", async (ctx, next) => {
    if (!(await role(ctx))) return next();
    await ctx.conversation.enter(PROGRAM_NEW_ID);
  });

  pm.command("program", async (ctx, next) => {
    if (!(await role(ctx))) return next();
    const programs = await listPrograms(deps.clock());
    if (programs.length === 0) return void (await ctx.reply(ctx.t("program_staff.none")));
    for (const p of programs) await ctx.reply(await summary(ctx, p), { reply_markup: staffKeyboard(ctx, p) });
  });

  composer.callbackQuery([PROGRAM_STAFF_BUTTON, ATTENDANCE_BUTTON], async (ctx, next) => {
    const r = isOwnPrivateChat(ctx) ? await role(ctx) : null;
    if (r) return next();
    ctx.logger.warn({ data: ctx.callbackQuery.data }, "program staff button refused");
    await ctx.answerCallbackQuery({ text: ctx.t("admin.not_allowed"), show_alert: true });
  });

  composer.callbackQuery(PROGRAM_STAFF_BUTTON, async (ctx) => {
    const [, action, programId] = ctx.match;
    const p = await findProgram(programId);
    if (!p) return void (await ctx.answerCallbackQuery({ text: ctx.t("program.gone"), show_alert: true }));
    await ctx.answerCallbackQuery();
    if (action === "p") {
      const view = await participantsText(ctx, p, (await role(ctx)) === "admin");
      return void (await ctx.reply(view.text, { reply_markup: { inline_keyboard: view.keyboard } }));
    }
    if (action === "e") {
      // Phone numbers only for an admin (this is their private chat: checked above).
      const includePhone = (await role(ctx)) === "admin";
      const roster = await programRoster(p, { includePhone });
      const file = await buildProgramWorkbook(p, roster, ctx.t, { includePhone });
      const caption = ctx.t(includePhone ? "program_staff.export_caption_admin" : "program_staff.export_caption", { code: p.code, rows: roster.length });
      return void (await ctx.replyWithDocument(new InputFile(file.content, file.filename), { caption }).catch(async (err: unknown) => {
        ctx.logger.warn({ err: err instanceof Error ? err.message : String(err), program: p.code }, "participants' workbook not sent");
        await ctx.reply(ctx.t("program_staff.export_failed")).catch(() => undefined);
      }));
    }
    if (action === "l") {
      const actor = await actorOf(ctx);
      const matching = await matchingRequests(p);
      if (!actor || matching.length === 0 || p.status !== "open") return void (await ctx.reply(ctx.t("program_staff.link_none", { code: p.code })));
      const now = deps.clock();
      const linked = await linkRequests(
        p.id,
        matching.map((m) => m.id),
        actor,
        ctx.t("program_staff.linked_note", { code: p.code, title: p.title }),
        changeBasis(ctx, now),
      );
      return void (await ctx.reply(ctx.t("program_staff.linked", { count: linked.length, code: p.code })));
    }
    await ctx.conversation.enter(PROGRAM_EDIT_ID, { op: action === "c" ? "change" : action === "d" ? "done" : "cancel", programId: p.id });
  });

  composer.callbackQuery(ATTENDANCE_BUTTON, async (ctx) => {
    const [, programId, k] = ctx.match;
    const p = await findProgram(programId);
    const list = p ? await participants(p.id, p.seats) : [];
    const who = list.find((x) => x.k === Number(k));
    if (!p || !who || who.place.kind !== "seat") return void (await ctx.answerCallbackQuery({ text: ctx.t("dialog.stale_button"), show_alert: true }));
    await markAttendance(p.id, who.k, who.attended !== true);
    await ctx.answerCallbackQuery();
    const view = await participantsText(ctx, p, (await role(ctx)) === "admin");
    await ctx
      .editMessageText(view.text, { reply_markup: { inline_keyboard: view.keyboard } })
      .catch(() => ctx.reply(view.text, { reply_markup: { inline_keyboard: view.keyboard } }));
  });

  return composer;
}
