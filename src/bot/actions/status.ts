/**
 * The status screens (a member's requests, a sentra's overview, one request) that /status, the menu and
 * the page buttons show (features/status.ts, run-action.ts).
 */
import { InlineKeyboard } from "grammy";
import type { BotContext } from "../context";
import type { TFunction } from "../../i18n";
import { findRequestByCode, type RequestView } from "../../domain/requests";
import { memberRequestsPage, sentraClosedRecently, sentraOpenRequestsPage, sentraStatusCounts, type Page } from "../../domain/queries";
import { parseTrackingCode } from "../../domain/tracking-code";
import { canSeeRequest } from "../../domain/visibility";
import { sentraChairedBy } from "../../domain/sentras";
import { mainMenuKeyboard } from "../keyboards/main-menu";
import { resolveViewer } from "../roles";
import { isMessageNotModified } from "../../telegram/errors";
import { ON_BEHALF_START, onBehalfTypeData, statusDetailData, statusPageData } from "../../telegram/callback-data";
import { memberListText, requestDetail, sentraOverviewText } from "../../telegram/request-text";
import { REQUEST_TYPES } from "../../vocabulary/request-types";
import { memberLabels } from "../../domain/members";
import { parseRecapMonth } from "../../domain/recap";

/** Shows a page in place of the old one; the same page again (a double tap) is not an error. */
export async function editPage(ctx: BotContext, text: string, kb?: InlineKeyboard): Promise<void> {
  await ctx.answerCallbackQuery();
  try {
    await ctx.editMessageText(text, kb ? { reply_markup: kb } : {});
  } catch (err) {
    if (!isMessageNotModified(err)) throw err;
    ctx.logger.debug("status page unchanged (double tap)");
  }
}

export function pageKeyboard(t: TFunction, page: Page<RequestView>, scope: "m" | "s", month?: string): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const r of page.items) kb.text(`🔎 ${r.code}`, statusDetailData(r.code)).row();
  if (page.page > 0) kb.text(t("status.prev"), statusPageData(scope, page.page - 1, month));
  if (page.page < page.pages - 1) kb.text(t("status.next"), statusPageData(scope, page.page + 1, month));
  return kb;
}

export async function memberList(ctx: BotContext, pageNo: number): Promise<{ text: string; kb?: InlineKeyboard }> {
  const member = ctx.member!;
  const page = await memberRequestsPage(member.id, pageNo);
  if (page.total === 0) return { text: ctx.t("status.none") };
  return { text: memberListText(ctx.t, ctx.locale, page, new Date()), kb: pageKeyboard(ctx.t, page, "m") };
}

/**
 * The chairperson's view of their sentra: counts by status, the open requests (oldest first, each
 * with whose it is) and the recently finished or declined ones with the officer's note or reason;
 * all of one month (YYYY-MM, WITA) when `month` is given.
 */
export async function sentraList(ctx: BotContext, sentra: { id: string; name: string }, pageNo: number, month?: string): Promise<{ text: string; kb?: InlineKeyboard }> {
  const [counts, open, closed] = await Promise.all([
    sentraStatusCounts(sentra.id, month),
    sentraOpenRequestsPage(sentra.id, pageNo, undefined, month),
    sentraClosedRecently(sentra.id, 5, month),
  ]);
  const names = await memberLabels([...open.items, ...closed].map((r) => r.memberId));
  const kb = pageKeyboard(ctx.t, open, "s", month);
  kb.row().text(ctx.t("status.my_own"), statusPageData("m", 0));
  kb.row().text(ctx.t("request.on_behalf.button"), ON_BEHALF_START);
  return { text: sentraOverviewText(ctx.t, ctx.locale, { sentra, counts, open, closed, names, month }, new Date()), kb };
}

export async function showOne(ctx: BotContext, input: string) {
  const code = parseTrackingCode(input);
  if (!code) {
    await ctx.reply(ctx.t("status.bad_code"));
    return;
  }
  const viewer = await resolveViewer(ctx);
  const r = await findRequestByCode(code);
  // Someone else's request is answered exactly like a code that does not exist.
  if (!r || !canSeeRequest(viewer, r)) {
    if (r) ctx.logger.info({ code }, "status by code refused: not theirs to see");
    await ctx.reply(ctx.t("status.not_found", { code }));
    return;
  }
  // A long conversation goes out as several messages, each within Telegram's limit.
  for (const text of requestDetail(ctx.t, ctx.locale, r, viewer.isAdmin || viewer.isOfficer)) await ctx.reply(text);
}

/**
 * /status (or the menu button): one request by code when a code follows; the sentra's overview for a
 * chairperson; otherwise the member's own requests.
 */
export async function showStatus(ctx: BotContext): Promise<void> {
  const arg = typeof ctx.match === "string" ? ctx.match.trim() : "";
  // A chairperson's `/status YYYY-MM`: their sentra in that month.
  if (/^\d{4}-\d{2}$/.test(arg)) {
    const sentra = await sentraChairedBy(ctx.from!.id);
    if (sentra) {
      const month = parseRecapMonth(arg, new Date());
      if (!month.ok) return void (await ctx.reply(ctx.t(`reports.bad_month_${month.reason}`)));
      const { text, kb } = await sentraList(ctx, sentra, 0, month.month);
      return void (await ctx.reply(text, { reply_markup: kb }));
    }
  }
  if (arg) return showOne(ctx, arg);
  const viewer = await resolveViewer(ctx);
  if (viewer.chairOfSentraId) {
    const sentra = await sentraChairedBy(ctx.from!.id);
    if (sentra) {
      const { text, kb } = await sentraList(ctx, sentra, 0);
      await ctx.reply(text, { reply_markup: kb });
      return;
    }
  }
  if (!ctx.member?.registered) {
    await ctx.reply(ctx.t("status.not_registered"));
    return;
  }
  const { text, kb } = await memberList(ctx, 0);
  await ctx.reply(text, kb ? { reply_markup: kb } : { reply_markup: mainMenuKeyboard(ctx.t) });
}

/** The request types a chairperson can file for a member. */
export async function showOnBehalfTypes(ctx: BotContext, sentra: string): Promise<void> {
  await ctx.reply(ctx.t("request.on_behalf.pick_type", { sentra }), {
    reply_markup: { inline_keyboard: REQUEST_TYPES.map((type) => [{ text: ctx.t(`request.menu.${type}`), callback_data: onBehalfTypeData(type) }]) },
  });
}
