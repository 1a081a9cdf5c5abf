import type { BotContext } from "./context";
import type { Viewer } from "../domain/visibility";
import { sentraChairedBy } from "../domain/sentras";
import { staffRole } from "../domain/officers";

/** Who the sender is, from the update's sender only (never from callback data). */
export async function resolveViewer(ctx: BotContext): Promise<Viewer> {
  const telegramId = ctx.from!.id;
  const [chair, role] = await Promise.all([ctx.member?.registered ? sentraChairedBy(telegramId) : null, staffRole(telegramId, ctx.config.adminIds)]);
  return {
    telegramId,
    isAdmin: role === "admin",
    isOfficer: role === "officer",
    memberId: ctx.member?.registered ? ctx.member.id : null,
    chairOfSentraId: chair?.id ?? null,
  };
}
