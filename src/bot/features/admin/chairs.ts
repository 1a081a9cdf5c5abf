/** /ketua (admins, private chat): who chairs which sentra, changed in a dialogue (conversations/admin.ts). */
import { Composer } from "grammy";
import type { BotContext } from "../../context";
import { ADMIN_CHAIR_ID } from "../../conversations/admin";
import { adminPrivate } from "./guard";

export function createChairsFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  adminPrivate(composer, { commands: ["ketua"] }).command("ketua", (ctx) => ctx.conversation.enter(ADMIN_CHAIR_ID));
  return composer;
}
