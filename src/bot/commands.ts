import type { Api } from "grammy";
import type { BotCommand } from "grammy/types";
import { LOCALES } from "../config";
import { tFor } from "../i18n";
import { REQUEST_TYPES } from "../domain/request-types";
import { REQUEST_DEFINITIONS } from "../domain/request-definitions";

/** Commands shown in the private-chat menu, in the order members need them. */
export const PRIVATE_COMMANDS = ["start", ...REQUEST_TYPES.map((type) => REQUEST_DEFINITIONS[type].command), "bantuan", "profil", "bahasa", "batal", "hapusdata"] as const;

export function privateCommands(locale: (typeof LOCALES)[number]): BotCommand[] {
  const t = tFor(locale);
  return PRIVATE_COMMANDS.map((command) => ({ command, description: t(`commands.${command}`) }));
}

/** Registers the command lists with Telegram: Indonesian by default, English for English clients. */
export async function registerCommands(api: Api): Promise<void> {
  await api.setMyCommands(privateCommands("id"), { scope: { type: "all_private_chats" } });
  for (const lng of LOCALES) {
    await api.setMyCommands(privateCommands(lng), { scope: { type: "all_private_chats" }, language_code: lng });
  }
}
