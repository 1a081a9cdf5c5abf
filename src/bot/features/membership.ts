import { Composer } from "grammy";
import type { BotContext } from "../context";
import { decideChairRequest, decideMembership, queueChairRequest, queueMemberNotice } from "../../domain/chairpersons";
import { staffRole } from "../../domain/officers";
import { sentApplicationMessages } from "../../domain/sent-messages";
import { isOwnPrivateChat, isStaffPlace, refuseStaffPlace } from "../staff";
import { refreshMemberCards } from "../../domain/request-effects";
import { getOfficerGroupId } from "../../domain/settings";
import { refreshChatMenus } from "../commands";
import { CHAIR_APPLY, CHAIR_REQUEST_BUTTON, MEMBERSHIP_BUTTON } from "../../telegram/callback-data";
import { type Clock } from "../../lib/clock";

/**
 * Sentra membership: the chairperson confirms members who say they belong to the sentra, and a
 * member may ask to become the chairperson (an officer or admin decides). Who presses is checked
 * here, from the update's sender; the buttons carry only the member's id.
 */
export function createMembershipFeature(deps: { clock: Clock }): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.chatType("private").command("ketua", async (ctx, next) => {
    const m = ctx.member;
    if (!m?.registered || !m.sentraId) return next(); // unknown command for everyone else
    await ctx.reply(ctx.t("membership.ask_chair"), {
      reply_markup: {
        inline_keyboard: [
          [
            { text: ctx.t("membership.btn_ask_chair"), callback_data: CHAIR_APPLY.go },
            { text: ctx.t("membership.btn_cancel"), callback_data: CHAIR_APPLY.no },
          ],
        ],
      },
    });
  });

  composer.chatType("private").callbackQuery([CHAIR_APPLY.go, CHAIR_APPLY.no], async (ctx) => {
    await ctx.answerCallbackQuery();
    if (ctx.callbackQuery.data === CHAIR_APPLY.no || !ctx.member?.registered) {
      await ctx.editMessageText(ctx.t("membership.chair_request_cancelled"));
      return;
    }
    const groupId = await getOfficerGroupId(ctx.config.officerGroupId);
    const outcome = await queueChairRequest(ctx.from.id, groupId, ctx.config.adminIds, deps.clock());
    await ctx.editMessageText(ctx.t(`membership.chair_request_${outcome}`));
  });

  composer.callbackQuery(MEMBERSHIP_BUTTON, async (ctx) => {
    // Sent to the chairperson privately: pressed anywhere else it does nothing (the chairperson is checked below).
    if (!isOwnPrivateChat(ctx)) {
      ctx.logger.warn({ data: ctx.callbackQuery.data, chat_type: ctx.chat?.type }, "membership button outside a private chat");
      return void (await ctx.answerCallbackQuery({ text: ctx.t("membership.refused_not_chair"), show_alert: true }));
    }
    const approve = ctx.match[1] === "a";
    const result = await decideMembership(ctx.from.id, ctx.match[2], approve, deps.clock());
    if (!result.ok) {
      if (result.reason === "not_chair") ctx.logger.warn({ data: ctx.callbackQuery.data }, "membership button refused: not the chairperson");
      await ctx.answerCallbackQuery({ text: ctx.t(`membership.refused_${result.reason}`), show_alert: true });
      return;
    }
    await queueMemberNotice(result.memberTelegramId, approve ? "membership.approved" : "membership.rejected", { sentra: result.sentra.name }, deps.clock());
    // Their open requests' cards now show them as verified (or without the sentra's mark).
    await refreshMemberCards(result.memberTelegramId, deps.clock());
    await ctx.answerCallbackQuery();
    const text = ctx.callbackQuery.message && "text" in ctx.callbackQuery.message ? (ctx.callbackQuery.message.text ?? "") : "";
    await ctx.editMessageText(`${ctx.t("membership.decided_prefix", { text })}\n\n${ctx.t(approve ? "membership.you_approved" : "membership.you_rejected")}`);
  });

  composer.callbackQuery(CHAIR_REQUEST_BUTTON, async (ctx) => {
    const role = await staffRole(ctx.from.id, ctx.config.adminIds);
    if (!role) {
      ctx.logger.warn({ data: ctx.callbackQuery.data }, "chair request button refused: not an officer or admin");
      await ctx.answerCallbackQuery({ text: ctx.t("membership.refused_not_staff"), show_alert: true });
      return;
    }
    if (!(await isStaffPlace(ctx))) return refuseStaffPlace(ctx, role, "chair request button");
    // Only on the application's own message, where that is known (sent within a week): a forged
    // button on another of the bot's messages does nothing.
    const pressed = ctx.callbackQuery.message;
    const sent = await sentApplicationMessages(ctx.match[2]);
    if (!pressed || (sent.length > 0 && !sent.some((m) => m.chatId === pressed.chat.id && m.messageId === pressed.message_id))) {
      ctx.logger.warn({ data: ctx.callbackQuery.data, message_id: pressed?.message_id }, "chair request button not on the application's message");
      await ctx.answerCallbackQuery({ text: ctx.t("officer.cb.stale"), show_alert: true });
      return;
    }
    const approve = ctx.match[1] === "a";
    const result = await decideChairRequest(ctx.match[2], approve, ctx.from.id, deps.clock());
    if (!result.ok) {
      ctx.logger.info({ data: ctx.callbackQuery.data, reason: result.reason }, "chair request button refused");
      await ctx.answerCallbackQuery({ text: ctx.t(`membership.refused_chair_${result.reason}`), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    // The decision first (its buttons go), then the menus.
    await ctx.editMessageText(
      ctx.t(approve ? "membership.chair_approved_by" : "membership.chair_rejected_by", { name: result.name, sentra: result.sentra, by: ctx.from.first_name }),
    );
    // The new chairperson's menu gets the sentra's commands; the one replaced loses them.
    await refreshChatMenus(ctx.api, ctx.config, [result.chair, result.previous]).catch((err) => ctx.logger.warn({ err: String(err) }, "chairpersons' command menus not refreshed"));
  });
  return composer;
}
