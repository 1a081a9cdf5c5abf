import type { BotContext } from "../context";
import type { Viewer } from "../../domain/visibility";
import { sentraChairedBy } from "../../domain/chairpersons";

/** Who the sender is, from the update's sender only (never from callback data). */
export async function resolveViewer(ctx: BotContext): Promise<Viewer> {
  const telegramId = ctx.from!.id;
  const chair = ctx.member?.registered ? await sentraChairedBy(telegramId) : null;
  return {
    telegramId,
    isAdmin: ctx.config.adminIds.includes(telegramId),
    isOfficer: false,
    memberId: ctx.member?.registered ? ctx.member.id : null,
    chairOfSentraId: chair?.id ?? null,
  };
}
