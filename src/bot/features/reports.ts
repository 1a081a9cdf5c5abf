import { Composer, InputFile } from "grammy";
import type { BotContext } from "../context";
import type { TFunction } from "../../i18n";
import { escapeHtml } from "../../i18n";
import { monthlyRecap, parseRecapMonth, type Recap } from "../../domain/recap";
import { exportMonthCsv } from "../../domain/export";
import { unclaimedQueue, officerTasks } from "../../domain/queries";
import { REQUEST_TYPES } from "../../domain/request-types";
import { STATUSES } from "../../domain/statuses";
import { fromNow } from "../../lib/time";
import { resolveViewer } from "./roles";
import { officerNames } from "../../domain/officers";
import { requestLine } from "./status";

export function renderRecap(t: TFunction, r: Recap): string {
  const header = STATUSES.map((s) => t(`labels.status_icon.${s}`)).join(" ");
  const typeRows = REQUEST_TYPES.map((type) => {
    const counts = STATUSES.map((s) => r.byTypeStatus[type][s]);
    const total = counts.reduce((a, b) => a + b, 0);
    return `<b>${escapeHtml(t(`labels.type.${type}`))}</b>: ${total}\n   ${counts.join(" · ")}`;
  });
  const legend = STATUSES.map((s) => `${t(`labels.status_icon.${s}`)} ${t(`labels.status.${s}`)}`).join(", ");
  const sentra = r.bySentra.map((s) => `• ${escapeHtml(s.name ?? t("reports.no_sentra"))}: ${s.count}`).join("\n") || t("reports.none");
  const kecamatan = Object.entries(r.byKecamatan)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `• ${escapeHtml(k)}: ${n}`)
    .join("\n") || t("reports.none");
  return [
    t("reports.recap_title", { month: r.month, total: r.total }),
    `${t("reports.by_type")} (${header})`,
    ...typeRows,
    `<i>${escapeHtml(legend)}</i>`,
    "",
    t("reports.by_sentra"),
    sentra,
    "",
    t("reports.by_kecamatan"),
    kecamatan,
  ].join("\n");
}

/** /rekap, /ekspor, /antrian, /tugasku: officers and admins, in the officers' group or privately. */
export function createReportsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  // Officer commands from anyone else are answered like unknown commands (and logged).
  const staff = composer.filter(async (ctx) => {
    if (!ctx.from) return false;
    const v = await resolveViewer(ctx);
    const ok = v.isAdmin || v.isOfficer;
    if (!ok && ctx.message?.text?.startsWith("/")) ctx.logger.warn({ command: ctx.message.text.split(/\s/)[0] }, "officer command refused");
    return ok;
  });

  /** The month argument, or undefined after telling the sender what is wrong with it. */
  const month = async (ctx: BotContext & { match: string }): Promise<string | undefined> => {
    const check = parseRecapMonth(ctx.match, new Date());
    if (check.ok) return check.month;
    await ctx.reply(ctx.t(`reports.bad_month_${check.reason}`));
    return undefined;
  };

  staff.command("rekap", async (ctx) => {
    const m = await month(ctx);
    if (m) await ctx.reply(renderRecap(ctx.t, await monthlyRecap(m)));
  });

  staff.command("ekspor", async (ctx) => {
    const m = await month(ctx);
    if (!m) return;
    const viewer = await resolveViewer(ctx);
    const { csv, rows } = await exportMonthCsv({
      month: m,
      includePhone: viewer.isAdmin,
      officerNames,
    });
    await ctx.replyWithDocument(new InputFile(Buffer.from(csv, "utf8"), `aspirasi-ikm-${m}.csv`), {
      caption: ctx.t(viewer.isAdmin ? "reports.export_caption_admin" : "reports.export_caption", { month: m, rows }),
    });
  });

  staff.command("antrian", async (ctx) => {
    const page = await unclaimedQueue(0, 15);
    const now = new Date();
    const lines = page.items.map((r) => `${requestLine(ctx.t, ctx.locale, r, now)}\n   ${ctx.t("reports.waiting", { ago: fromNow(r.createdAt, now, ctx.locale) })}`);
    await ctx.reply(`${ctx.t("reports.queue_title", { total: page.total })}\n\n${lines.join("\n\n") || ctx.t("reports.queue_empty")}`);
  });

  staff.command("tugasku", async (ctx) => {
    const page = await officerTasks(ctx.from!.id, 0, 15);
    const now = new Date();
    const lines = page.items.map((r) => requestLine(ctx.t, ctx.locale, r, now));
    await ctx.reply(`${ctx.t("reports.tasks_title", { total: page.total })}\n\n${lines.join("\n\n") || ctx.t("reports.tasks_empty")}`);
  });
  return composer;
}
