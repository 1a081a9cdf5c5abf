/**
 * The officers' group: card buttons, replies to prompts (question, note, reason), replies to cards
 * relayed to the member (the staff's admin commands are in admin.ts). Who someone is comes from the update's sender
 * only; callback data names the action and the request, nothing else. What the group must see goes
 * through the outbox (its 20-messages-a-minute budget); button answers are toasts.
 */
import { changeBasis } from "../change-basis";
import { Composer } from "grammy";
import { actorOf, isOfficerGroup, isStaffPlace, refuseStaffPlace, relayContent } from "../staff";
import type { BotContext } from "../context";
import type { TFunction } from "../../i18n";
import { LockTimeoutError } from "../../domain/locks";
import { findRequestById } from "../../domain/requests";
import { findMessageRef } from "../../domain/message-refs";
import { officerNames } from "../../domain/officers";
import { STAFF_LOCALE, ACTION_STATUS, type OfficerAction } from "../../domain/officer-actions";
import { mention } from "../../telegram/render";
import { queueGroupNotice } from "../../telegram/notices";
import { answerPrompt, changeStatus, isPromptCancel, claimRequest, NOTE_MAX, openPrompt, recordInternalNote, type PromptOutcome, type Refusal } from "../../domain/workflow";
import { escapeHtml, tFor } from "../../i18n";
import { CARD_BUTTON } from "../../telegram/callback-data";
import { type Clock } from "../../lib/clock";

export interface OfficerFeatureDeps {
  clock: Clock;
}

/** A toast explaining why a button did nothing. */
async function refusalText(t: TFunction, r: Refusal, opts: { html?: boolean } = {}): Promise<string> {
  const code = r.request?.code ?? "";
  const label = (s: string | null | undefined) => (s ? t(`labels.status.${s}`) : "");
  switch (r.reason) {
    case "closed":
      return t("officer.cb.closed", { code, status: label(r.request?.status) });
    case "same":
      return t("officer.cb.same", { code, status: label(r.request?.status) });
    case "not_allowed":
      return t("officer.cb.not_allowed", { from: label(r.request?.status), to: label(r.to) });
    case "not_from_perlu_info":
      return t("officer.cb.waiting_member", { code, status: label(r.request?.infoReturnTo) });
    case "claimed_by_other": {
      const id = r.request?.assigneeTelegramId ?? 0;
      const names = await officerNames([id]);
      const name = names.get(id) ?? String(id);
      // A toast is plain text; a group message is HTML, where a name's "&" or "<" must be escaped.
      return t("officer.cb.claimed_by_other", { code, officer: opts.html ? escapeHtml(name) : name });
    }
    case "not_found":
      return t("officer.cb.not_found");
    default:
      return t("officer.cb.stale");
  }
}

export function createOfficerFeature(deps: OfficerFeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const staffT = tFor(STAFF_LOCALE);

  composer.callbackQuery(CARD_BUTTON, async (ctx) => {
    const action = ctx.match[1] as OfficerAction;
    const requestId = ctx.match[2];
    const actor = await actorOf(ctx);
    if (!actor) {
      ctx.logger.warn({ data: ctx.callbackQuery.data }, "card button refused: the sender is not an officer or admin");
      await ctx.answerCallbackQuery({ text: ctx.t("officer.cb.not_staff"), show_alert: true });
      return;
    }
    if (!(await isStaffPlace(ctx))) return refuseStaffPlace(ctx, actor.role, "card button");
    const request = await findRequestById(requestId);
    const msg = ctx.callbackQuery.message;
    // Only the request's own card carries its buttons (older or forged messages do nothing).
    if (!request || !msg || request.card?.chatId !== msg.chat.id || request.card?.messageId !== msg.message_id) {
      ctx.logger.warn({ data: ctx.callbackQuery.data, message_id: msg?.message_id }, "card button not on the request's card");
      await ctx.answerCallbackQuery({ text: ctx.t(request ? "officer.cb.stale" : "officer.cb.not_found"), show_alert: true });
      return;
    }
    const now = deps.clock();
    try {
      if (action === "claim") {
        const res = await claimRequest(requestId, actor, changeBasis(ctx, now));
        if (!res.ok) return void (await ctx.answerCallbackQuery({ text: await refusalText(ctx.t, res), show_alert: true }));
        await ctx.answerCallbackQuery({ text: ctx.t(res.again ? "officer.cb.claimed_again" : "officer.cb.claimed", { code: request.code }) });
        return;
      }
      if (action === "review" || action === "follow") {
        const res = await changeStatus(requestId, actor, ACTION_STATUS[action], undefined, changeBasis(ctx, now));
        if (!res.ok) return void (await ctx.answerCallbackQuery({ text: await refusalText(ctx.t, res), show_alert: true }));
        await ctx.answerCallbackQuery({ text: ctx.t("officer.cb.changed", { code: request.code, status: ctx.t(`labels.status.${res.request.status}`) }) });
        return;
      }
      const res = await openPrompt(requestId, actor, action, now);
      if (!res.ok) return void (await ctx.answerCallbackQuery({ text: await refusalText(ctx.t, res), show_alert: true }));
      await ctx.answerCallbackQuery({ text: ctx.t("officer.cb.prompt_sent") });
    } catch (err) {
      if (!(err instanceof LockTimeoutError)) throw err;
      await ctx.answerCallbackQuery({ text: ctx.t("officer.cb.busy"), show_alert: true });
    }
  });

  // Replies to the bot's messages in the officers' group: prompt answers (a question, a note, a reason,
  // a message for the member) and internal notes.
  composer.on("message", async (ctx, next) => {
    const reply = ctx.message.reply_to_message;
    if (ctx.chat.type === "private" || !reply || reply.from?.id !== ctx.me.id) return next();
    if (!(await isOfficerGroup(ctx))) return next();
    const ref = await findMessageRef(ctx.chat.id, reply.message_id);
    if (!ref) return next();
    const actor = await actorOf(ctx);
    if (!actor) {
      ctx.logger.info({ kind: ref.kind }, "reply in the officers' group from someone who is not an officer: ignored");
      return;
    }
    const now = deps.clock();
    const officer = mention(actor.telegramId, actor.name);
    const replyTo = { replyTo: ctx.message.message_id };
    // A command sent as a reply (e.g. /antrian) is not an answer nor for the member: it runs as usual.
    // Only /batal (or /cancel) answers a prompt, by cancelling it.
    const typed = ctx.message.text;
    if (typed?.startsWith("/") && !(ref.kind === "prompt" && isPromptCancel(typed))) return next();
    const source = { chatId: ctx.chat.id, messageId: ctx.message.message_id };
    const content = relayContent(ctx.message);
    if (ref.kind === "prompt" && ref.promptId) {
      const outcome: PromptOutcome = await answerPrompt(ref.promptId, actor, content === "wrong_kind" ? {} : content, source, changeBasis(ctx, now));
      if (outcome.ok) {
        // Recorded (a message for the member gets its 👌 once delivered).
        if (outcome.action !== "message") await ctx.react("👌").catch(() => undefined);
        return;
      }
      let text: string | undefined;
      if (outcome.reason === "not_yours") {
        // Only the addressed officer's reply counts: nothing goes to the member, the prompt stays open.
        ctx.logger.info("prompt answered by another officer: refused");
        const names = await officerNames([outcome.addressedTo]);
        const addressed = escapeHtml(names.get(outcome.addressedTo) ?? String(outcome.addressedTo));
        text = staffT("officer.notice.prompt_not_yours", { officer, addressed, code: outcome.code });
      } else if ("code" in outcome) {
        if (outcome.reason === "expired") text = staffT("officer.notice.prompt_expired", { officer, code: outcome.code });
        else if (outcome.reason === "cancelled") text = staffT("officer.notice.prompt_cancelled", { code: outcome.code });
        else if (outcome.reason === "empty") text = staffT(`officer.notice.empty_${outcome.action}`, { officer });
        else if (outcome.reason === "too_long") text = staffT("officer.notice.too_long", { officer, count: outcome.count, max: NOTE_MAX });
      } else {
        // The change itself was refused (the request moved or was taken meanwhile): the buttons' reason.
        text = await refusalText(staffT, outcome, { html: true });
      }
      if (text) await queueGroupNotice(text, replyTo, now);
      return;
    }
    // Any other reply to a message of a request (card, photo, relayed answer): officers talking among
    // themselves. Kept on the request's timeline as an internal note (a ✍ says so), never sent to the
    // member; a sticker or a long text is simply not recorded.
    if (content === "wrong_kind" || (!content.photo && !content.voice && !content.text?.trim())) return;
    if ((content.text?.trim().length ?? 0) > NOTE_MAX) {
      return void (await queueGroupNotice(staffT("officer.notice.too_long", { officer, count: content.text!.trim().length, max: NOTE_MAX }), replyTo, now));
    }
    const res = await recordInternalNote(ref.requestId, actor, content, source, changeBasis(ctx, now));
    if (res.ok) await ctx.react("✍").catch(() => undefined);
  });

  return composer;
}
