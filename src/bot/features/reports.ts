import { Composer, GrammyError, HttpError, InputFile } from "grammy";
import type { BotContext } from "../context";
import type { TFunction } from "../../i18n";
import { escapeHtml } from "../../i18n";
import { parseRecapMonth, type Recap } from "../../domain/recap";
import { exportMonthCsv } from "../../domain/export";
import { monthWorkbook, recapChartData, recapPictures } from "../../reports/monthly-report";
import { type Clock, systemClock } from "../../lib/clock";
import { unclaimedQueue, officerTasks } from "../../domain/queries";
import { REQUEST_TYPES } from "../../vocabulary/request-types";
import { STATUSES } from "../../vocabulary/statuses";
import { durationSince, monthName } from "../../lib/time";
import { resolveViewer } from "../roles";
import { officerNames } from "../../domain/officers";
import { requestLine } from "../../telegram/request-text";
import { STAFF_COMMANDS } from "../commands";
import { renderServiceRecap } from "../../telegram/service-report";
import { isStaffPlace, refuseStaffPlace } from "../staff";
import { loadCalendar } from "../../domain/holidays";
import { slaStanding } from "../../domain/deadlines";
import { listSlaLine } from "../../telegram/sla";

/** How many requests /antrian and /tugasku list; the rest is counted ("dan X lainnya"). */
export const LIST_LIMIT = 15;

const STAFF_COMMAND_SET = new Set<string>(STAFF_COMMANDS);

/** The staff command a message starts with ("/rekap", "/rekap@bot 2026-11"), if it is one. */
function staffCommandOf(text: string | undefined): string | undefined {
  const name = /^\/([A-Za-z0-9_]+)(?:@\S+)?(?:\s|$)/.exec(text ?? "")?.[1]?.toLowerCase();
  return name && STAFF_COMMAND_SET.has(name) ? name : undefined;
}

/** A list of request lines, with "dan X lainnya" when the page holds fewer than the total. */
function listBody(t: TFunction, lines: string[], total: number, empty: string): string {
  if (lines.length === 0) return empty;
  const more = total - lines.length;
  return lines.join("\n\n") + (more > 0 ? `\n\n${t("reports.more", { n: more })}` : "");
}

export function renderRecap(t: TFunction, r: Recap, locale: string): string {
  const header = STATUSES.map((s) => t(`labels.status_icon.${s}`)).join(" ");
  const typeRows = REQUEST_TYPES.map((type) => {
    const counts = STATUSES.map((s) => r.byTypeStatus[type][s]);
    const total = counts.reduce((a, b) => a + b, 0);
    return `<b>${escapeHtml(t(`labels.type.${type}`))}</b>: ${total}\n   ${counts.join(" · ")}`;
  });
  const legend = STATUSES.map((s) => `${t(`labels.status_icon.${s}`)} ${t(`labels.status.${s}`)}`).join(", ");
  const sentra = r.bySentra.map((s) => `• ${escapeHtml(s.name ?? t("reports.no_sentra"))}: ${s.count}`).join("\n") || t("reports.none");
  const kecamatan =
    Object.entries(r.byKecamatan)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `• ${escapeHtml(k)}: ${n}`)
      .join("\n") || t("reports.none");
  return [
    t("reports.recap_title", { month: monthName(r.month, locale), total: r.total }),
    `${t("reports.by_type")} (${header})`,
    ...typeRows,
    `<i>${escapeHtml(legend)}</i>`,
    "",
    t("reports.by_sentra"),
    sentra,
    "",
    t("reports.by_kecamatan"),
    kecamatan,
    "",
    ...renderServiceRecap(t, r.service),
    ...(r.whatsappTemplates > 0 ? ["", t("reports.whatsapp_templates", { count: r.whatsappTemplates })] : []),
    ...(r.programs.held > 0 ? ["", t("reports.programs", { ...r.programs })] : []),
  ].join("\n");
}

/**
 * Sends a file answer (pictures, a workbook) straight back to the command's chat. The client has
 * already retried 429s, 5xx and network errors; if Telegram still does not take it, the sender is
 * told so (`refusal`) instead of hearing nothing. Other errors (the database) go to the error boundary.
 */
async function sendOrRefuse(ctx: BotContext, what: string, send: () => Promise<unknown>, refusal: string): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (err) {
    if (!(err instanceof GrammyError || err instanceof HttpError)) throw err;
    ctx.logger.warn({ what, err: err.message }, "a report file was not sent");
    await ctx.reply(ctx.t(refusal));
    return false;
  }
}

/** `/ekspor csv 2026-11` → csv and the month; `/ekspor 2026-11` → the workbook. */
export function exportArgs(match: string): { csv: boolean; month: string } {
  const m = /^csv(?:\s+|$)(.*)$/is.exec(match.trim());
  return m ? { csv: true, month: m[1] } : { csv: false, month: match };
}

/** /rekap, /ekspor, /antrian, /tugasku: officers and admins, in the officers' group or privately. */
export function createReportsFeature(deps: { clock?: Clock } = {}): Composer<BotContext> {
  const clock = deps.clock ?? systemClock;
  const composer = new Composer<BotContext>();

  // Staff commands (the members' lists and answers, phone numbers in the export) are answered only
  // in a private chat or in the officers' group. From anyone who is not staff they are answered like
  // unknown commands; in any other group nothing happens and staff are told why. Both are logged.
  const staff = composer.filter(async (ctx) => {
    const command = staffCommandOf(ctx.message?.text);
    if (!ctx.from || !ctx.chat || !command) return false;
    const v = await resolveViewer(ctx);
    if (!v.isAdmin && !v.isOfficer) {
      ctx.logger.warn({ command }, "officer command refused");
      return false;
    }
    if (await isStaffPlace(ctx)) return true;
    await refuseStaffPlace(ctx, v.isAdmin ? "admin" : "officer", command);
    return false;
  });

  /** The month argument, or undefined after telling the sender what is wrong with it. */
  const month = async (ctx: BotContext, text: string): Promise<string | undefined> => {
    const check = parseRecapMonth(text, clock());
    if (check.ok) return check.month;
    await ctx.reply(ctx.t(`reports.bad_month_${check.reason}`));
    return undefined;
  };

  // The counts as text, then the same figures as pictures (one, or an album), rendered on demand.
  staff.command("rekap", async (ctx) => {
    const m = await month(ctx, ctx.match);
    if (!m) return;
    const data = await recapChartData(m);
    await ctx.reply(renderRecap(ctx.t, data.recap, ctx.locale));
    const pictures = await recapPictures(data, ctx.locale);
    if (pictures.length === 0) return;
    await sendOrRefuse(
      ctx,
      "recap pictures",
      () =>
        pictures.length === 1
          ? ctx.replyWithPhoto(new InputFile(pictures[0].png, pictures[0].filename), { caption: escapeHtml(pictures[0].caption) })
          : ctx.replyWithMediaGroup(pictures.map((p) => ({ type: "photo" as const, media: new InputFile(p.png, p.filename), caption: escapeHtml(p.caption) }))),
      "reports.charts_failed",
    );
  });

  // The month as an Excel workbook; `/ekspor csv [YYYY-MM]` as CSV (`;`, BOM).
  staff.command("ekspor", async (ctx) => {
    const args = exportArgs(ctx.match);
    const m = await month(ctx, args.month);
    if (!m) return;
    const viewer = await resolveViewer(ctx);
    // Phone numbers only for an admin in their private chat: never posted in a group.
    const includePhone = viewer.isAdmin && ctx.chat.type === "private";
    const file = args.csv
      ? await exportMonthCsv({ month: m, includePhone, officerNames }).then(({ csv, rows }) => ({ filename: `aspirasi-ikm-${m}.csv`, content: Buffer.from(csv, "utf8"), rows }))
      : await monthWorkbook({ month: m, includePhone, officerNames, locale: ctx.locale });
    await sendOrRefuse(
      ctx,
      args.csv ? "csv export" : "workbook export",
      () =>
        ctx.replyWithDocument(new InputFile(file.content, file.filename), {
          caption: ctx.t(includePhone ? "reports.export_caption_admin" : "reports.export_caption", { month: m, rows: file.rows }),
        }),
      "reports.export_failed",
    );
  });

  staff.command("antrian", async (ctx) => {
    const page = await unclaimedQueue(0, LIST_LIMIT);
    const now = clock();
    const calendar = await loadCalendar();
    const lines = page.items.map(
      (r) =>
        `${requestLine(ctx.t, ctx.locale, r, now)}\n   ${ctx.t("reports.waiting", { ago: durationSince(r.createdAt, now, ctx.locale) })}\n${listSlaLine(ctx.t, ctx.locale, r, slaStanding(r, now, calendar))}`,
    );
    await ctx.reply(`${ctx.t("reports.queue_title", { total: page.total })}\n\n${listBody(ctx.t, lines, page.total, ctx.t("reports.queue_empty"))}`);
  });

  staff.command("tugasku", async (ctx) => {
    const page = await officerTasks(ctx.from!.id, 0, LIST_LIMIT);
    const now = clock();
    const calendar = await loadCalendar();
    const lines = page.items.map((r) => `${requestLine(ctx.t, ctx.locale, r, now)}\n${listSlaLine(ctx.t, ctx.locale, r, slaStanding(r, now, calendar))}`);
    await ctx.reply(`${ctx.t("reports.tasks_title", { total: page.total })}\n\n${listBody(ctx.t, lines, page.total, ctx.t("reports.tasks_empty"))}`);
  });
  return composer;
}
