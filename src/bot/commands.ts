import type { Api } from "grammy";
import type { BotCommand, BotCommandScope } from "grammy/types";
import { LOCALES, type Config } from "../config";
import { getOfficerGroupId } from "../domain/settings";
import { isOfficer, listOfficers } from "../domain/officers";
import { listSentras, sentraChairedBy } from "../domain/sentras";
import { tFor } from "../i18n";
import { REQUEST_TYPES } from "../vocabulary/request-types";
import { REQUEST_DEFINITIONS } from "../domain/request-definitions";

/** Commands shown in the private-chat menu, in the order members need them. */
export const PRIVATE_COMMANDS = [
  "start",
  ...REQUEST_TYPES.map((type) => REQUEST_DEFINITIONS[type].command),
  "status",
  "program",
  "bantuan",
  "profil",
  "bahasa",
  "ketua",
  "batal",
  "hapusdata",
] as const;

/** Officers' commands: in the officers' group and in their private chat. */
export const STAFF_COMMANDS = ["antrian", "tugasku", "cari", "rekap", "ekspor"] as const;
/** Officers' and admins' commands of their private chat only (programs: a dialogue, participants' names). */
export const STAFF_PRIVATE_COMMANDS = ["programbaru"] as const;
/** Admins' extra commands in their private chat (their /ketua appoints a chairperson). */
export const ADMIN_COMMANDS = ["sentra", "petugas", "ketua", "kontak", "libur", "laporanbulanan"] as const;
/** A chairperson's extra command in their private chat (placed after /status, their sentra's overview). */
export const CHAIR_COMMANDS = ["anggota", "laporkan"] as const;
/** In the officers' group (/petugas works there for admins, by replying to an officer). */
export const GROUP_COMMANDS = [...STAFF_COMMANDS, "petugas"] as const;

type Locale = (typeof LOCALES)[number];

/** A menu entry: the command and the locale key of its description (commands.<key>). */
interface MenuEntry {
  command: string;
  key: string;
}

const entries = (commands: readonly string[]): MenuEntry[] => commands.map((command) => ({ command, key: command }));

function describe(menu: readonly MenuEntry[], locale: Locale): BotCommand[] {
  const t = tFor(locale);
  return menu.map(({ command, key }) => ({ command, description: t(`commands.${key}`) }));
}

/** What a person is besides a member (an admin is not listed as an officer too). */
export interface ChatRoles {
  admin?: boolean;
  officer?: boolean;
  chair?: boolean;
}

/**
 * The menu of one person's private chat from their roles: the members' commands, for a chairperson
 * /status described as the sentra's overview and /anggota after it (their /ketua application is
 * moot), then the officers' and the admins' commands (an admin's /ketua appoints). Null when they
 * have no role, so the members' menu applies.
 */
export function chatMenu(roles: ChatRoles): MenuEntry[] | null {
  if (!roles.admin && !roles.officer && !roles.chair) return null;
  const menu: MenuEntry[] = [];
  for (const command of PRIVATE_COMMANDS) {
    if (command === "ketua" && (roles.chair || roles.admin)) continue;
    if (command === "status" && roles.chair) {
      menu.push({ command, key: "status_chair" }, ...entries(CHAIR_COMMANDS));
      continue;
    }
    menu.push({ command, key: command });
  }
  if (roles.admin || roles.officer) menu.push(...entries(STAFF_COMMANDS), ...entries(STAFF_PRIVATE_COMMANDS));
  if (roles.admin) menu.push(...ADMIN_COMMANDS.map((command) => ({ command, key: command === "ketua" ? "ketua_admin" : command })));
  return menu;
}

async function setMenu(api: Api, scope: BotCommandScope, menu: readonly MenuEntry[]): Promise<void> {
  await api.setMyCommands(describe(menu, "id"), { scope });
  for (const lng of LOCALES) await api.setMyCommands(describe(menu, lng), { scope, language_code: lng });
}

/** Deletes the command menu of one chat, in every language it was set in. */
async function deleteMenu(api: Api, scope: BotCommandScope): Promise<void> {
  await api.deleteMyCommands({ scope });
  for (const language_code of LOCALES) await api.deleteMyCommands({ scope, language_code });
}

export interface CommandScopes {
  groupId?: number;
  adminIds?: readonly number[];
  officerIds?: readonly number[];
  chairIds?: readonly number[];
}

/**
 * Registers the command lists with Telegram, Indonesian by default and English for English clients:
 * members' commands for every private chat, officers' commands in the officers' group, and the
 * private chat of each officer, admin and chairperson with one menu for all their roles (see
 * chatMenu). (The lists are only a menu: every command checks the sender itself.)
 */
export async function registerCommands(api: Api, scopes: CommandScopes = {}): Promise<void> {
  await setMenu(api, { type: "all_private_chats" }, entries(PRIVATE_COMMANDS));
  if (scopes.groupId !== undefined) await setMenu(api, { type: "chat", chat_id: scopes.groupId }, entries(GROUP_COMMANDS));
  const roles = new Map<number, ChatRoles>();
  const add = (ids: readonly number[] | undefined, role: keyof ChatRoles) => {
    for (const id of ids ?? []) roles.set(id, { ...roles.get(id), [role]: true });
  };
  add(scopes.officerIds, "officer");
  add(scopes.adminIds, "admin");
  add(scopes.chairIds, "chair");
  await forEachChat([...roles.keys()], (id) => setMenu(api, { type: "chat", chat_id: id }, chatMenu(roles.get(id)!)!));
}

/**
 * `fn` for every chat, each on its own: one chat Telegram refuses (an admin who never opened the
 * bot, a deleted account) does not keep the others' menus from being set. Throws afterwards, naming
 * the chats that failed, for the caller to log.
 */
async function forEachChat(ids: Iterable<number>, fn: (id: number) => Promise<void>): Promise<void> {
  const failed: string[] = [];
  for (const id of ids) {
    try {
      await fn(id);
    } catch (err) {
      failed.push(`${id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (failed.length > 0) throw new Error(`command menus not set for ${failed.length} chat(s): ${failed.join("; ")}`);
}

/** The chairpersons of the active sentras (only while they are members of it, as sentraChairedBy). */
async function currentChairs(): Promise<number[]> {
  const ids = (await listSentras()).map((s) => s.chairpersonTelegramId).filter((id): id is number => id !== null);
  const held = await Promise.all(ids.map(async (id) => ((await sentraChairedBy(id)) ? id : null)));
  return held.filter((id): id is number => id !== null);
}

/** The scopes as they are now (officers' group, admins, active officers, chairpersons), registered again. */
export async function refreshCommands(api: Api, config: Pick<Config, "officerGroupId" | "adminIds">): Promise<void> {
  await registerCommands(api, {
    groupId: await getOfficerGroupId(config.officerGroupId),
    adminIds: config.adminIds,
    officerIds: (await listOfficers()).filter((o) => o.active).map((o) => o.telegramId),
    chairIds: await currentChairs(),
  });
}

/**
 * One person's private menu set again from their roles as they are now, or deleted when they have
 * none left (e.g. a chairperson replaced). Call after any of their roles changed.
 */
export async function refreshChatMenu(api: Api, config: Pick<Config, "adminIds">, telegramId: number): Promise<void> {
  const admin = config.adminIds.includes(telegramId);
  const menu = chatMenu({ admin, officer: !admin && (await isOfficer(telegramId)), chair: Boolean(await sentraChairedBy(telegramId)) });
  const scope = { type: "chat" as const, chat_id: telegramId };
  if (menu) await setMenu(api, scope, menu);
  else await deleteMenu(api, scope);
}

/** refreshChatMenu for each distinct id given (e.g. a new chairperson and the one replaced). */
export async function refreshChatMenus(api: Api, config: Pick<Config, "adminIds">, ids: readonly (number | null | undefined)[]): Promise<void> {
  await forEachChat(new Set(ids.filter((id): id is number => typeof id === "number")), (id) => refreshChatMenu(api, config, id));
}
