/**
 * /libur (admins, private chat): the office's non-working days. `/libur [YYYY]` lists a year;
 * `/libur tambah YYYY-MM-DD Nama` and `/libur hapus YYYY-MM-DD` are confirmed by the same admin's
 * button (confirmations.ts; the button is handled in confirm.ts) and written to the audit log. The
 * deadlines of open requests are computed again after a change.
 */
import { changeBasis } from "../../change-basis";
import { Composer } from "grammy";
import type { BotContext } from "../../context";
import { createConfirmation, type HolidayChange } from "../../../domain/confirmations";
import { confirmKeyboard } from "../../../telegram/confirm-keyboard";
import { commandArg } from "../../command-arg";
import { adminPrivate } from "./guard";
import { addHoliday, findHoliday, isHolidayDate, listHolidays, removeHoliday } from "../../../domain/holidays";
import { recomputeOpenDeadlines } from "../../../domain/sla-jobs";
import { isWeekend } from "../../../domain/working-days";
import { audit } from "../../../domain/audit";
import { formatWitaDate, inWita } from "../../../lib/time";
import type { Clock } from "../../../lib/clock";
import { linesToMessages } from "../../../lib/text";

const NAME_MAX = 120;

function dayLabel(date: string, locale: string): string {
  return formatWitaDate(new Date(`${date}T12:00:00+08:00`), locale);
}

/** Carries out a confirmed change (called by the confirmation button, confirm.ts); the text to show. */
export async function applyHolidayChange(ctx: BotContext, change: HolidayChange, now: Date): Promise<string> {
  const by = ctx.from!.id;
  const label = dayLabel(change.date, ctx.locale);
  if (change.op === "add") {
    await addHoliday(change.date, change.name, by);
    await audit(by, "holiday.add", { date: change.date, name: change.name }, now);
    const count = await recomputeOpenDeadlines(changeBasis(ctx, now));
    return ctx.t("sla.libur_added", { date: label, name: change.name, count });
  }
  const removed = await removeHoliday(change.date, by);
  if (!removed) return ctx.t("sla.libur_not_found", { date: label });
  await audit(by, "holiday.remove", { date: change.date, name: change.name }, now);
  const count = await recomputeOpenDeadlines(changeBasis(ctx, now));
  return ctx.t("sla.libur_removed", { date: label, count });
}

export function createHolidaysFeature(deps: { clock: Clock }): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  adminPrivate(composer, { commands: ["libur"] }).command("libur", async (ctx) => {
    const now = deps.clock();
    const [sub = "", date = "", ...rest] = commandArg(ctx).split(/\s+/);
    const op = ({ tambah: "add", add: "add", hapus: "remove", remove: "remove" } as Record<string, "add" | "remove">)[sub.toLowerCase()];
    if (!op) {
      if (sub && !/^\d{4}$/.test(sub)) return void (await ctx.reply(`${ctx.t("sla.libur_bad_year", { year: sub })}\n\n${ctx.t("sla.libur_usage")}`));
      const year = sub ? Number(sub) : inWita(now).year();
      const days = await listHolidays(year);
      if (days.length === 0) return void (await ctx.reply(`${ctx.t("sla.libur_none", { year })}\n\n${ctx.t("sla.libur_usage")}`));
      const lines = days.map((d) => ctx.t("sla.libur_line", { date: dayLabel(d.date, ctx.locale), name: d.name }));
      for (const text of linesToMessages(ctx.t("sla.libur_title", { year, count: days.length }), [...lines, "", ctx.t("sla.libur_usage")])) await ctx.reply(text);
      return;
    }
    if (!isHolidayDate(date)) return void (await ctx.reply(`${ctx.t("sla.libur_bad_date", { date: date || "—" })}\n\n${ctx.t("sla.libur_usage")}`));
    const label = dayLabel(date, ctx.locale);
    const existing = await findHoliday(date);
    let change: HolidayChange;
    if (op === "add") {
      const name = rest.join(" ").trim().slice(0, NAME_MAX);
      if (!name) return void (await ctx.reply(ctx.t("sla.libur_name_required", { date })));
      if (isWeekend(date)) return void (await ctx.reply(ctx.t("sla.libur_weekend", { date: label })));
      if (existing) return void (await ctx.reply(ctx.t("sla.libur_exists", { date: label, name: existing.name })));
      change = { op, date, name };
    } else {
      if (!existing) return void (await ctx.reply(ctx.t("sla.libur_not_found", { date: label })));
      change = { op, date, name: existing.name };
    }
    // Nothing changes until the same admin presses "Ya, simpan".
    const id = await createConfirmation(ctx.from.id, "holiday", change, now);
    const question = op === "add" ? ctx.t("sla.libur_confirm_add", { date: label, name: change.name }) : ctx.t("sla.libur_confirm_remove", { date: label, name: change.name });
    await ctx.reply(question, { reply_markup: confirmKeyboard(ctx.t, id) });
  });
  return composer;
}
