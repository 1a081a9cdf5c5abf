/**
 * The admins' confirmation button (*Ya, simpan* / *Batal*), privately or in the officers' group:
 * one registry of what each confirmed kind of change does (domain/confirmations.ts types the
 * payloads). Only the admin who asked can confirm (takeConfirmation checks the stored asker).
 */
import { Composer } from "grammy";
import type { BotContext } from "../../context";
import { tFor, type TFunction } from "../../../i18n";
import { STAFF_LOCALE } from "../../../domain/officer-actions";
import { takeConfirmation, type ConfirmationAction, type ConfirmationPayloads, type PendingChange } from "../../../domain/confirmations";
import { isAdmin } from "../../guards/admin";
import { isStaffPlace, refuseStaffPlace } from "../../staff";
import { CONFIRM_BUTTON } from "../../../telegram/callback-data";
import type { Clock } from "../../../lib/clock";
import { applyContactChange } from "./contact";
import { applyOfficerChange } from "./officers";
import { applyHolidayChange } from "./holidays";

type AdminAction = Exclude<ConfirmationAction, "free_message">;
type Admin = BotContext & { from: { id: number } };
type Apply<A extends AdminAction> = (ctx: Admin, t: TFunction, payload: ConfirmationPayloads[A], now: Date) => Promise<void>;

const APPLY: { [A in AdminAction]: Apply<A> } = {
  office_contact: applyContactChange,
  holiday: async (ctx, _t, change, now) => void (await ctx.editMessageText(await applyHolidayChange(ctx, change, now))),
  officer: applyOfficerChange,
};

function applyChange<A extends AdminAction>(ctx: Admin, t: TFunction, change: PendingChange & { action: A }, now: Date): Promise<void> {
  return (APPLY[change.action] as Apply<A>)(ctx, t, change.payload as ConfirmationPayloads[A], now);
}

export function createConfirmFeature(deps: { clock: Clock }): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const staffT = tFor(STAFF_LOCALE);
  composer.callbackQuery(CONFIRM_BUTTON, async (ctx) => {
    const t = ctx.chat?.type === "private" ? ctx.t : staffT;
    if (!isAdmin(ctx)) {
      ctx.logger.warn({ data: ctx.callbackQuery.data }, "confirmation button refused: the sender is not an admin");
      return void (await ctx.answerCallbackQuery({ text: t("admin.not_allowed"), show_alert: true }));
    }
    if (!(await isStaffPlace(ctx))) return refuseStaffPlace(ctx, "admin", "confirmation button");
    const now = deps.clock();
    const taken = await takeConfirmation(ctx.match[2], ctx.from.id, now);
    if (!taken.ok) {
      // A stored change of an unknown kind or shape is refused like one already gone (and logged).
      if (taken.reason === "invalid") ctx.logger.warn({ data: ctx.callbackQuery.data }, "confirmation refused: unknown kind or payload of the wrong shape");
      const reason = taken.reason === "invalid" ? "gone" : taken.reason;
      return void (await ctx.answerCallbackQuery({ text: t(`officer.admin.confirm_${reason}`), show_alert: true }));
    }
    await ctx.answerCallbackQuery();
    if (ctx.match[1] === "no") return void (await ctx.editMessageText(t("admin.nothing_changed")));
    if (taken.change.action === "free_message") {
      ctx.logger.warn({ action: taken.change.action }, "confirmation of another kind pressed as an admin change: ignored");
      return void (await ctx.editMessageText(t("admin.nothing_changed")));
    }
    await applyChange(ctx, t, taken.change, now);
  });
  return composer;
}
