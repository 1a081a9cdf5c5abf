import { editPage, memberList, sentraList, showOne, showOnBehalfTypes } from "../actions/status";
import { Composer } from "grammy";
import type { BotContext } from "../context";
import { escapeHtml } from "../../i18n";
import { type Viewer } from "../../domain/visibility";
import { sentraMembers, sentraMemberCount } from "../../domain/chairpersons";
import { sentraChairedBy } from "../../domain/sentras";
import { ON_BEHALF_START, ON_BEHALF_TYPE, STATUS_DETAIL, STATUS_PAGE } from "../../telegram/callback-data";
import { type RequestType } from "../../vocabulary/request-types";
import { requestConversationId, type RequestArgs } from "../conversations/request";
import { linesToMessages } from "../../lib/text";

/** The paging and detail buttons of /status, and /anggota (private chats). */
export function createStatusFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const pm = composer.chatType("private");

  // Paging and detail buttons carry only a page number or a code; who may see what is decided
  // again here from the sender, so an old or forged button shows nothing that isn't theirs.
  pm.callbackQuery(STATUS_PAGE, async (ctx) => {
    const [, scope, p, yyyymm] = ctx.match;
    const month = yyyymm ? `${yyyymm.slice(0, 4)}-${yyyymm.slice(4)}` : undefined;
    if (scope === "m") {
      if (!ctx.member?.registered) return ctx.answerCallbackQuery({ text: ctx.t("status.not_registered_short") });
      const { text, kb } = await memberList(ctx, Number(p));
      await editPage(ctx, text, kb);
      return;
    }
    const sentra = await sentraChairedBy(ctx.from.id);
    if (!sentra) return ctx.answerCallbackQuery({ text: ctx.t("dialog.stale_button") });
    const { text, kb } = await sentraList(ctx, sentra, Number(p), month);
    await editPage(ctx, text, kb);
  });
  pm.callbackQuery(STATUS_DETAIL, async (ctx) => {
    await ctx.answerCallbackQuery();
    await showOne(ctx, ctx.match[1]);
  });

  // /laporkan: the chairperson files a request for a member of the sentra (one without Telegram too).
  pm.command("laporkan", async (ctx, next) => {
    const sentra = await sentraChairedBy(ctx.from.id);
    if (!sentra) return next(); // like any unknown command for everyone else
    await showOnBehalfTypes(ctx, sentra.name);
  });
  pm.callbackQuery(ON_BEHALF_START, async (ctx) => {
    const sentra = await sentraChairedBy(ctx.from.id);
    if (!sentra) return ctx.answerCallbackQuery({ text: ctx.t("dialog.stale_button") });
    await ctx.answerCallbackQuery();
    await showOnBehalfTypes(ctx, sentra.name);
  });
  pm.callbackQuery(ON_BEHALF_TYPE, async (ctx) => {
    // Decided again from the sender: a forwarded or forged button does nothing for a non-chairperson.
    if (!(await sentraChairedBy(ctx.from.id))) return ctx.answerCallbackQuery({ text: ctx.t("dialog.stale_button") });
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => undefined);
    const args: RequestArgs = { onBehalf: true };
    await ctx.conversation.enter(requestConversationId(ctx.match[1] as RequestType), args);
  });

  pm.command("anggota", async (ctx, next) => {
    const sentra = await sentraChairedBy(ctx.from.id);
    if (!sentra) return next(); // like any unknown command for everyone else
    const [members, total] = await Promise.all([sentraMembers(sentra.id), sentraMemberCount(sentra.id)]);
    const lines = members.map((m) => `• ${escapeHtml(m.name)}${m.businessName ? ` — ${escapeHtml(m.businessName)}` : ""}${m.verified ? " ✅" : ""}`);
    if (lines.length === 0) lines.push(ctx.t("status.members_none"));
    else if (total > members.length) lines.push(ctx.t("status.members_more", { n: total - members.length }));
    // A long list (long names) goes out as several messages, each within Telegram's limit.
    for (const text of linesToMessages(ctx.t("status.members_title", { sentra: sentra.name, count: total }), lines)) await ctx.reply(text);
  });
  return composer;
}

export type { Viewer };
