import type { Api } from "grammy";
import type { BotCommand, BotCommandScope } from "grammy/types";
import { LOCALES, type Config } from "../config";
import { getOfficerGroupId } from "../domain/settings";
import { listOfficers } from "../domain/officers";
import { tFor } from "../i18n";
import { REQUEST_TYPES } from "../domain/request-types";
import { REQUEST_DEFINITIONS } from "../domain/request-definitions";

/** Commands shown in the private-chat menu, in the order members need them. */
export const PRIVATE_COMMANDS = ["start", ...REQUEST_TYPES.map((type) => REQUEST_DEFINITIONS[type].command), "status", "bantuan", "profil", "bahasa", "batal", "hapusdata"] as const;

/** Officers' commands: in the officers' group and in their private chat. */
export const STAFF_COMMANDS = ["antrian", "tugasku", "rekap", "ekspor"] as const;
/** Admins' extra commands in their private chat. */
export const ADMIN_COMMANDS = ["sentra", "petugas", "ketua"] as const;
/** In the officers' group (/petugas works there for admins, by replying to an officer). */
export const GROUP_COMMANDS = [...STAFF_COMMANDS, "petugas"] as const;

type Locale = (typeof LOCALES)[number];

function describe(commands: readonly string[], locale: Locale): BotCommand[] {
  const t = tFor(locale);
  return commands.map((command) => ({ command, description: t(`commands.${command}`) }));
}

export function privateCommands(locale: Locale): BotCommand[] {
  return describe(PRIVATE_COMMANDS, locale);
}

export interface CommandScopes {
  groupId?: number;
  adminIds?: readonly number[];
  officerIds?: readonly number[];
}

/**
 * Registers the command lists with Telegram, Indonesian by default and English for English clients:
 * members' commands for every private chat, officers' commands in the officers' group, and each
 * officer's and admin's own private chat with their extra commands. (The lists are only a menu:
 * every command checks the sender itself.)
 */
export async function registerCommands(api: Api, scopes: CommandScopes = {}): Promise<void> {
  const lists: { scope: BotCommandScope; commands: readonly string[] }[] = [
    { scope: { type: "all_private_chats" }, commands: PRIVATE_COMMANDS },
  ];
  if (scopes.groupId !== undefined) lists.push({ scope: { type: "chat", chat_id: scopes.groupId }, commands: GROUP_COMMANDS });
  const admins = new Set(scopes.adminIds ?? []);
  for (const id of scopes.officerIds ?? []) {
    if (!admins.has(id)) lists.push({ scope: { type: "chat", chat_id: id }, commands: [...PRIVATE_COMMANDS, ...STAFF_COMMANDS] });
  }
  for (const id of admins) lists.push({ scope: { type: "chat", chat_id: id }, commands: [...PRIVATE_COMMANDS, ...STAFF_COMMANDS, ...ADMIN_COMMANDS] });
  for (const { scope, commands } of lists) {
    await api.setMyCommands(describe(commands, "id"), { scope });
    for (const lng of LOCALES) await api.setMyCommands(describe(commands, lng), { scope, language_code: lng });
  }
}

/** The scopes as they are now (officers' group, admins, active officers), registered again. */
export async function refreshCommands(api: Api, config: Pick<Config, "officerGroupId" | "adminIds">): Promise<void> {
  await registerCommands(api, {
    groupId: await getOfficerGroupId(config.officerGroupId),
    adminIds: config.adminIds,
    officerIds: (await listOfficers()).filter((o) => o.active).map((o) => o.telegramId),
  });
}
