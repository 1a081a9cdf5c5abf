import type { Context } from "grammy";
import type { Conversation, ConversationFlavor } from "@grammyjs/conversations";
import type { TFunction } from "../i18n";
import type { Locale, Config } from "../config";
import type { Logger } from "../logger";
import type { MemberView } from "../domain/members";

/** What every handler can use, outside and inside dialogues. */
export interface BotExtras {
  t: TFunction;
  locale: Locale;
  logger: Logger;
  config: Config;
  /** The member record of the sender (null when unknown). Loaded once per update. */
  member: MemberView | null;
}

export type BaseContext = Context & BotExtras;
/** Context of ordinary middleware (with the conversation controls). */
export type BotContext = ConversationFlavor<BaseContext>;
/** Context inside a dialogue (the conversation plugin builds a fresh one per update). */
export type DialogueContext = Context & Omit<BotExtras, "member">;
export type Dialogue = Conversation<BotContext, DialogueContext>;
