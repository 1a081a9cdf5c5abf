import { Bot, type BotConfig } from "grammy";
import { conversations, createConversation } from "@grammyjs/conversations";
import { sequentialize } from "@grammyjs/runner";
import type { BotContext, DialogueContext } from "./context";
import type { Config } from "../config";
import type { Logger } from "../logger";
import { contextSetup } from "./middlewares/context-setup";
import { idempotency, checkBeforeSend } from "./middlewares/idempotency";
import { floodControl } from "./middlewares/flood-control";
import { claimedSends } from "./claimed-sends";
import { createRetryingFetch } from "./retrying-fetch";
import { dialogueGuard } from "./middlewares/dialogue-guard";
import { htmlParseMode } from "../telegram/parse-mode";
import { countGroupSends } from "./middlewares/group-sends";
import { countingFetch, type Metrics } from "../server/metrics";
import { dialogueSends } from "./middlewares/dialogue-sends";
import { trimDialogueResults } from "./middlewares/trim-results";
import { createConversationStore } from "./conversation-storage";
import { onboarding, ONBOARDING_ID } from "./conversations/onboarding";
import { requestConversations } from "./conversations/request";
import { createStaffLookupFeature } from "./features/staff-lookup";
import { createFreeMessagesFeature } from "./features/free-messages";
import { createGeneralFeature } from "./features/general";
import { createAdminFeature } from "./features/admin";
import { createMembershipFeature } from "./features/membership";
import { createStatusFeature } from "./features/status";
import { createReportsFeature } from "./features/reports";
import { adminSentra, adminChair, ADMIN_SENTRA_ID, ADMIN_CHAIR_ID } from "./conversations/admin";
import { createUnhandledFeature } from "./features/unhandled";
import { createOfficerFeature } from "./features/officer";
import { memberRelay, createMemberAnswerFallback } from "./features/member-answers";
import { createPrivacyFeature } from "./features/privacy";
import { createClosureFeature } from "./features/closure";
import { createProgramChairFeature, createProgramsFeature } from "./features/programs";
import { createProgramStaffFeature } from "./features/program-staff";
import { programNew, programEdit, PROGRAM_NEW_ID, PROGRAM_EDIT_ID } from "./conversations/program";
import { programChair, PROGRAM_CHAIR_ID } from "./conversations/program-chair";
import { tFor } from "../i18n";
import { STAFF_LOCALE } from "../domain/officer-actions";
import { type Clock, systemClock } from "../lib/clock";

export interface BotDeps {
  logger: Logger;
  /** The officer workflow's clock (tests move it; default: the real time). */
  clock?: Clock;
  /** Whether another process serves the database now (main.ts: db/presence.ts); default: MULTI_PROCESS=true. */
  shared?: () => boolean;
  /** Counts every Bot API call by method and result (GET /metrics). */
  metrics?: Pick<Metrics, "call">;
}

const counted = (f: typeof fetch, metrics?: Pick<Metrics, "call">) => (metrics ? countingFetch(f, metrics) : f);

export function createBot(config: Config, deps: BotDeps, botConfig?: BotConfig<BotContext>) {
  // Whether another process serves the database now: dialogue states read fresh, sends claimed.
  const shared = deps.shared ?? (() => config.multiProcess === true);
  const bot = new Bot<BotContext>(config.botToken, {
    ...botConfig,
    client: {
      ...(config.telegramApiRoot ? { apiRoot: config.telegramApiRoot } : {}),
      ...botConfig?.client,
      // Retries 429, 5xx and network errors a few times (capped), for bot.api and inside dialogues.
      // Outermost, a doubled update's copy on another process sends nothing twice (claimed-sends.ts).
      fetch: claimedSends(createRetryingFetch(counted(botConfig?.client?.fetch ?? fetch, deps.metrics)), shared, {
        onEvent: (event, key) => deps.logger.debug({ event, key }, "send claim"),
      }),
    },
  });
  bot.api.config.use(htmlParseMode);
  const clock = deps.clock ?? systemClock;
  // Direct answers in the officers' group use up its budget too (the dispatcher counts them).
  bot.api.config.use(countGroupSends(config, clock, deps.logger));
  // A re-delivered update says nothing before the check that it is no copy (middlewares/idempotency.ts).
  bot.api.config.use(checkBeforeSend);

  // A member flooding the bot is slowed down before anything else (in memory, no database).
  bot.use(floodControl({ max: config.floodMaxMessages, windowMs: config.floodWindowMs, defaultLocale: config.defaultLocale }));
  // Updates of one chat are handled one after the other (the runner handles chats concurrently).
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString() ?? ctx.from?.id.toString()));
  // A re-delivered update stops here, before the member read and the dialogues.
  // With several processes on the database, another one may have moved the dialogue on: no cache.
  const store = createConversationStore({ cache: () => !shared() });
  bot.use(idempotency(store, deps.logger));
  bot.use(contextSetup(config, deps.logger));
  // A member's reply to a request's message (or its Jawab button) is an answer, even mid-dialogue.
  bot.use(memberRelay({ clock }));
  // The member's answer to a finished request (Sudah / Belum, stars, Lewati), even mid-dialogue.
  bot.use(createClosureFeature({ clock }));
  bot.use(createProgramsFeature({ clock }));

  bot.use(
    conversations<BotContext, DialogueContext>({
      storage: store.storage,
      // Inside dialogues: the same language as the outer middleware chose for this update (recorded,
      // so a replay never changes it), the same API transformers and the same config/logger. (The
      // retries come with the client's fetch, below the plugin's recording: see retrying-fetch.ts.)
      plugins: (conversation) => [
        async (ctx, next) => {
          // A failed send never ends a dialogue (dialogue-sends.ts); recorded results keep only what
          // dialogues read (smaller replay state: trim-results.ts).
          ctx.api.config.use(dialogueSends(deps.logger), htmlParseMode, trimDialogueResults);
          ctx.config = config;
          ctx.logger = deps.logger.child({ update_id: ctx.update.update_id, chat_id: ctx.chat?.id });
          ctx.locale = await conversation.external((outer) => outer.locale);
          ctx.t = tFor(ctx.locale);
          await next();
        },
      ],
    }),
  );
  bot.use(store.keepOnDatabaseLoss);
  bot.use(dialogueGuard());
  bot.use(createConversation(onboarding, { id: ONBOARDING_ID }));
  bot.use(...requestConversations(clock));
  bot.use(createConversation(adminSentra, { id: ADMIN_SENTRA_ID }));
  bot.use(createConversation(adminChair, { id: ADMIN_CHAIR_ID }));
  bot.use(createConversation(programNew, { id: PROGRAM_NEW_ID }));
  bot.use(createConversation(programEdit, { id: PROGRAM_EDIT_ID }));
  bot.use(createConversation(programChair, { id: PROGRAM_CHAIR_ID }));

  bot.use(createProgramStaffFeature({ clock }));
  bot.use(createProgramChairFeature({ clock }));
  bot.use(createStaffLookupFeature());
  bot.use(createGeneralFeature());
  bot.use(createOfficerFeature({ clock }));
  bot.use(createAdminFeature({ clock }));
  bot.use(createMembershipFeature({ clock }));
  bot.use(createStatusFeature());
  bot.use(createReportsFeature({ clock }));
  bot.use(createPrivacyFeature());
  bot.use(createMemberAnswerFallback({ clock }));
  bot.use(createFreeMessagesFeature({ clock }));
  bot.use(createUnhandledFeature());

  bot.catch(async (err) => {
    const ctx = err.ctx;
    (ctx.logger ?? deps.logger).error({ err: err.error, update_id: ctx.update.update_id }, "update failed");
    try {
      if (ctx.chat?.type === "private" && ctx.t) {
        await ctx.reply(ctx.t("errors.internal"));
      } else if (ctx.chat && ctx.chat.type !== "channel" && isAddressedToBot(ctx)) {
        // An officer's reply, command or button press in a group: say it was not recorded, so it is sent again.
        const t = tFor(STAFF_LOCALE);
        if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: t("errors.group_not_recorded_button"), show_alert: true });
        else await ctx.reply(t("errors.group_not_recorded"), { reply_parameters: { message_id: ctx.msg!.message_id, allow_sending_without_reply: true } });
      }
    } catch {
      /* Telegram unreachable: nothing more to do for this update */
    }
  });
  return bot;
}

/** A group update the bot would have acted on: a button, a command, or a reply to one of its messages. */
function isAddressedToBot(ctx: BotContext): boolean {
  if (ctx.callbackQuery) return true;
  const msg = ctx.message;
  if (!msg || msg.from?.is_bot) return false;
  return Boolean(msg.text?.startsWith("/") || msg.reply_to_message?.from?.id === ctx.me.id);
}
