import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context";
import { actionForMenuText, COMMAND_ACTIONS, isAction, mainMenuKeyboard, type Action } from "../keyboards/main-menu";
import { runAction } from "../actions/run-action";
import { LEAVE_DATA, LEAVE_PREFIX, STAY_DATA } from "../../telegram/callback-data";
import { rememberLeaveQuestion, storedDialogue } from "../conversation-storage";
import { isDialogueIdle } from "../../domain/dialogue-states";
import { forgetGuest } from "../../domain/privacy";
import { peekCachedMember } from "../../domain/members";

export { LEAVE_DATA };
const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s|$)/;

/** The command name of a message text ("/lapor@bot x" -> "lapor"), lower-cased. */
export function commandOf(text: string | undefined): string | undefined {
  const m = text ? COMMAND.exec(text) : null;
  return m ? m[1].toLowerCase() : undefined;
}

/** The action a "Ya, tinggalkan" button stands for (undefined for anything forged or unknown). */
export function leaveAction(data: string | undefined): Action | undefined {
  const action = data?.startsWith(LEAVE_PREFIX) ? data.slice(LEAVE_PREFIX.length) : undefined;
  return action && isAction(action) ? action : undefined;
}

/** After the guard has left the dialogue: acknowledge "Ya, tinggalkan" and run what was asked for. */
export async function runLeaveAction(ctx: BotContext): Promise<void> {
  const action = leaveAction(ctx.callbackQuery?.data);
  if (!action) return;
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("dialog.left"));
  await runAction(ctx, action);
}

/** Updates whose stale dialogue the guard closed (their sender already got the "closed after 24 h" notice). */
const closedAsIdle = new WeakSet<object>();

/** Whether the dialogue guard closed an idle dialogue during this update and told the member so. */
export function dialogueClosedAsIdle(ctx: BotContext): boolean {
  return closedAsIdle.has(ctx);
}

/**
 * Sits between the conversations plugin and the dialogues. While a dialogue runs in a private chat:
 * /batal leaves it; /bantuan answers without leaving; a command or main-menu button that starts
 * something else asks first whether to leave (nothing is lost by accident), and only the buttons of
 * the latest such question count. Everything else goes to the dialogue, which answers wrong input
 * itself. A dialogue idle for more than a day is closed first, whatever comes: the member is told
 * so, and then what they sent is handled as if no dialogue had been open.
 */
export function dialogueGuard(): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (ctx.chat?.type !== "private") return next();
    // A guest's registration that ends without consent leaves nothing about them behind (the
    // language a guest chose with /bahasa is stored before any consent). A guest registers in the
    // onboarding dialogue or at the start of a request dialogue (/lapor before /start).
    const anyDialogue = () => Object.keys(ctx.conversation.active()).length > 0;
    const guestRegistering = !ctx.member?.registered && anyDialogue();
    await guard(ctx, next);
    if (guestRegistering && ctx.from && !anyDialogue()) {
      // A registration that just succeeded is in the member cache (registerMember): no write then.
      if (!peekCachedMember(ctx.from.id)?.registered) await forgetGuest(ctx.from.id);
    }
  };
}

async function guard(ctx: BotContext, next: () => Promise<void>): Promise<void> {
  const data = ctx.callbackQuery?.data;
  const leavePress = data !== undefined && (data.startsWith(LEAVE_PREFIX) || data === STAY_DATA);
  const active = Object.keys(ctx.conversation.active());
  const stored = active.length > 0 ? await storedDialogue(ctx) : null;
  // The buttons of a leave question count only on the latest one, and only until the dialogue took
  // another update (the member carried on): the store forgets it then.
  const currentQuestion = leavePress && stored?.leaveQuestion !== undefined && ctx.callbackQuery?.message?.message_id === stored.leaveQuestion;

  if (active.length > 0 && stored && isDialogueIdle(stored.lastActivityAt, Date.now())) {
    await ctx.conversation.exitAll();
    closedAsIdle.add(ctx);
    await ctx.reply(ctx.t("dialog.expired"), { reply_markup: mainMenuKeyboard(ctx.t) });
    // "Ya, tinggalkan" on the current question still starts what it names (general feature).
    if (currentQuestion && leaveAction(data)) return next();
    if (leavePress) return void (await ctx.answerCallbackQuery());
    return next();
  }

  if (data?.startsWith(LEAVE_PREFIX)) {
    if (active.length === 0) return void (await ctx.answerCallbackQuery({ text: ctx.t("dialog.old_button") }));
    if (!currentQuestion || !leaveAction(data)) return void (await ctx.answerCallbackQuery({ text: ctx.t("dialog.stale_button") }));
    // The dialogues are registered by createConversation further down the chain, so `enter` only
    // works there: leave here, and the general feature runs the chosen action (runLeaveAction).
    await ctx.conversation.exitAll();
    return next();
  }
  if (active.length === 0) {
    if (data === STAY_DATA) return void (await ctx.answerCallbackQuery({ text: ctx.t("dialog.old_button") }));
    return next();
  }
  if (data === STAY_DATA) {
    if (!currentQuestion) return void (await ctx.answerCallbackQuery({ text: ctx.t("dialog.stale_button") }));
    // Tidy the leave question here, where a failed edit (a double tap: "message is not modified")
    // can be ignored; inside the dialogue a Bot API error would end it. The dialogue re-asks.
    await ctx.editMessageText(ctx.t("dialog.continuing")).catch((err) => ctx.logger.debug({ err: String(err) }, "leave question not edited"));
    return next();
  }
  const text = ctx.message?.text;
  if (text === undefined) return next();
  const command = commandOf(text);
  if (command === "batal" || command === "cancel") {
    await ctx.conversation.exitAll();
    await ctx.reply(ctx.t("dialog.cancelled"), {
      reply_markup: ctx.member?.registered ? mainMenuKeyboard(ctx.t) : { remove_keyboard: true },
    });
    return;
  }
  const action = command ? COMMAND_ACTIONS[command] : actionForMenuText(text);
  // Help (the command or the menu button) is answered without leaving the dialogue.
  if (command === "bantuan" || command === "help" || action === "help") {
    await ctx.reply(`${ctx.t("help.text")}\n\n${ctx.t("dialog.help_mid_dialogue")}`);
    return;
  }
  if (action) {
    const question = await ctx.reply(ctx.t("dialog.leave_question", { dialogue: ctx.t(`dialog.name.${active[0]}`) }), {
      reply_markup: {
        inline_keyboard: [[{ text: ctx.t("dialog.leave_yes"), callback_data: `${LEAVE_PREFIX}${action}` }], [{ text: ctx.t("dialog.leave_no"), callback_data: STAY_DATA }]],
      },
    });
    rememberLeaveQuestion(ctx, question.message_id);
    return;
  }
  return next();
}
