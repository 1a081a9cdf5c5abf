/**
 * What a menu button, a command or a "leave and start …" button does (features/general.ts,
 * middlewares/dialogue-guard.ts). Actions live under src/bot/actions so that features import
 * downward only: no feature imports another (test/feature-imports.test.ts).
 */
import type { BotContext } from "../context";
import type { Action } from "../keyboards/main-menu";
import { mainMenuKeyboard, requestTypeOf } from "../keyboards/main-menu";
import { requestConversationId } from "../conversations/request";
import { dayPart } from "../../lib/time";
import { ONBOARDING_ID } from "../conversations/onboarding";
import { askErasure } from "./erasure";
import { showStatus } from "./status";
import { languageData, MENU_PROFILE } from "../../telegram/callback-data";
import { getOfficeContact } from "../../domain/settings";
import { slugFromStartPayload } from "../../telegram/sentra-link";

/** The one place where a menu button, a command or a "leave and start …" button becomes an action. */
export async function runAction(ctx: BotContext, action: Action): Promise<void> {
  switch (action) {
    case "start":
      return startAction(ctx);
    case "profile":
      await ctx.conversation.enter(ONBOARDING_ID, { edit: Boolean(ctx.member?.registered) });
      return;
    case "help":
      {
        const contact = await getOfficeContact();
        const text = ctx.t("help.text") + (contact ? ctx.t("help.office_contact", { contact }) : "");
        await ctx.reply(text, ctx.member?.registered ? { reply_markup: mainMenuKeyboard(ctx.t) } : {});
      }
      return;
    case "language":
      await ctx.reply(ctx.t("language.choose"), {
        reply_markup: {
          inline_keyboard: [
            [
              { text: ctx.t("language.name_id"), callback_data: languageData("id") },
              { text: ctx.t("language.name_en"), callback_data: languageData("en") },
            ],
          ],
        },
      });
      return;
    case "privacy":
      return askErasure(ctx);
    case "status":
      return showStatus(ctx);
    default:
      // A request of any type (unregistered users are onboarded first, inside the dialogue).
      await ctx.conversation.enter(requestConversationId(requestTypeOf(action)));
      return;
  }
}

export function greeting(ctx: BotContext): string {
  const part = dayPart(Date.now());
  return ctx.t(`greeting.${part}`);
}

async function startAction(ctx: BotContext): Promise<void> {
  const member = ctx.member;
  if (member?.registered) {
    await ctx.reply(ctx.t("start.welcome_back", { greeting: greeting(ctx), name: member.name }), {
      reply_markup: mainMenuKeyboard(ctx.t),
    });
    await ctx.reply(ctx.t("start.change_data_hint"), {
      reply_markup: { inline_keyboard: [[{ text: ctx.t("menu.profile"), callback_data: MENU_PROFILE }]] },
    });
    return;
  }
  await ctx.reply(ctx.t("start.welcome_new", { greeting: greeting(ctx) }));
  // A sentra's link (`/start s-<slug>`) fills in the kecamatan and sentra.
  const slug = slugFromStartPayload(typeof ctx.match === "string" ? ctx.match : "");
  await ctx.conversation.enter(ONBOARDING_ID, slug ? { sentraSlug: slug } : {});
}
