/**
 * /sambungkan (an admin, in the group to link): makes the group the officers' group. Anyone else
 * in a group is told only an admin can; privately an admin is told to send it in the group.
 */
import { Composer } from "grammy";
import type { BotContext } from "../../context";
import { tFor } from "../../../i18n";
import { setOfficerGroupId } from "../../../domain/settings";
import { audit } from "../../../domain/audit";
import { STAFF_LOCALE } from "../../../domain/officer-actions";
import { isAdmin } from "../../guards/admin";
import { refreshCommands } from "../../commands";
import { sayToStaff } from "../../staff";
import type { Clock } from "../../../lib/clock";

export function createGroupLinkFeature(deps: { clock: Clock }): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const staffT = tFor(STAFF_LOCALE);
  composer
    .filter((ctx) => ctx.chat !== undefined)
    .command("sambungkan", async (ctx, next) => {
      if (ctx.chat.type === "private") {
        if (!isAdmin(ctx)) return next();
        await ctx.reply(ctx.t("officer.admin.link_in_group"));
        return;
      }
      if (!isAdmin(ctx)) {
        ctx.logger.warn("/sambungkan refused: the sender is not an admin");
        await sayToStaff(ctx, staffT("officer.admin.only_admin"), deps.clock());
        return;
      }
      const fixed = ctx.config.officerGroupId;
      if (fixed !== undefined && fixed !== ctx.chat.id) {
        await ctx.reply(staffT("officer.admin.link_env", { id: fixed }));
        return;
      }
      await setOfficerGroupId(ctx.chat.id, ctx.from!.id);
      await audit(ctx.from!.id, "officer_group.link", { chatId: ctx.chat.id }, deps.clock());
      // Said directly: until now this was not the officers' group, and the answer is awaited.
      await ctx.reply(staffT("officer.admin.link_done"));
      await refreshCommands(ctx.api, ctx.config).catch((err) => ctx.logger.warn({ err: String(err) }, "command menus not refreshed"));
    });
  return composer;
}
