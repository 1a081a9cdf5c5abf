/** /laporanbulanan [hidup|mati] (admins, private chat): last month's recap for the admins on the first working day (monthly-report-job.ts). */
import { Composer } from "grammy";
import type { BotContext } from "../../context";
import { isMonthlyReportOn, setMonthlyReport } from "../../../domain/settings";
import { audit } from "../../../domain/audit";
import { commandArg } from "../../command-arg";
import type { Clock } from "../../../lib/clock";
import { adminPrivate } from "./guard";

export function createMonthlyReportFeature(deps: { clock: Clock }): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  adminPrivate(composer, { commands: ["laporanbulanan"] }).command("laporanbulanan", async (ctx) => {
    const arg = commandArg(ctx).toLowerCase();
    if (arg) {
      const on = /^(hidup|on|nyala)$/.test(arg) ? true : /^(mati|off)$/.test(arg) ? false : null;
      if (on === null) return void (await ctx.reply(ctx.t("reports.monthly_usage")));
      await setMonthlyReport(on, ctx.from.id);
      await audit(ctx.from.id, "monthly_report.set", { on }, deps.clock());
    }
    await ctx.reply(ctx.t((await isMonthlyReportOn()) ? "reports.monthly_state_on" : "reports.monthly_state_off"));
  });
  return composer;
}
