/**
 * /petugas (an admin, privately or in the officers' group): the officers with their duties, and
 * `/petugas tambah|hapus <id or reply> [types and kecamatan]`, confirmed by the same admin's button
 * (confirm.ts). In another group nothing happens and staff are told why; a non-admin is told only
 * an admin can (privately: the unknown-command answer).
 */
import { Composer } from "grammy";
import type { BotContext } from "../../context";
import { tFor, type TFunction } from "../../../i18n";
import { findOfficer, listOfficers, staffRole, parseHandles, removeOfficer, upsertOfficer, type Handles } from "../../../domain/officers";
import { STAFF_LOCALE } from "../../../domain/officer-actions";
import { REQUEST_TYPES } from "../../../vocabulary/request-types";
import { KECAMATAN } from "../../../vocabulary/kecamatan";
import { createConfirmation, type OfficerChange } from "../../../domain/confirmations";
import { confirmKeyboard } from "../../../telegram/confirm-keyboard";
import { isAdmin } from "../../guards/admin";
import { commandArg } from "../../command-arg";
import { mention } from "../../../telegram/render";
import { refreshChatMenu, refreshCommands } from "../../commands";
import { fullName, isOfficerGroup, refuseStaffPlace, sayToStaff } from "../../staff";
import type { Clock } from "../../../lib/clock";

const OPS: Record<string, "add" | "remove"> = { tambah: "add", add: "add", ubah: "add", atur: "add", hapus: "remove", remove: "remove" };

function handlesText(t: TFunction, h: Handles): string {
  const words = [...h.types.map((x) => t(`labels.type.${x}`)), ...h.kecamatan];
  return words.length ? words.join(", ") : t("officer.admin.handles_none");
}

/** Carries out a confirmed officer change (confirm.ts). */
export async function applyOfficerChange(ctx: BotContext & { from: { id: number } }, t: TFunction, change: OfficerChange, now: Date): Promise<void> {
  if (change.op === "remove") {
    const removed = await removeOfficer(change.telegramId, ctx.from.id, now);
    await ctx.editMessageText(removed ? t("officer.admin.officer_removed", { officer: mention(change.telegramId, change.name) }) : t("officer.admin.officer_not_found"));
    // Their own menu follows the roles they still have (refreshCommands only sets the menus of
    // those who have one): gone, a chairperson's, or an admin's.
    if (removed) {
      await refreshChatMenu(ctx.api, ctx.config, change.telegramId).catch((err) => ctx.logger.warn({ err: String(err) }, "removed officer's command menu not refreshed"));
    }
  } else {
    const { officer, created } = await upsertOfficer({ telegramId: change.telegramId, name: change.name, username: change.username, handles: change.handles }, ctx.from.id, now);
    await ctx.editMessageText(
      t(created ? "officer.admin.officer_added" : "officer.admin.officer_updated", { officer: mention(officer.telegramId, officer.name), handles: handlesText(t, officer) }),
    );
  }
  // The officer's own command menu changes with their role.
  await refreshCommands(ctx.api, ctx.config).catch((err) => ctx.logger.warn({ err: String(err) }, "command menus not refreshed"));
}

export function createOfficersFeature(deps: { clock: Clock }): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const staffT = tFor(STAFF_LOCALE);
  composer
    .filter((ctx) => ctx.chat !== undefined)
    .command("petugas", async (ctx, next) => {
      const say = (text: string) => sayToStaff(ctx, text, deps.clock());
      // The officers' names, ids and duties: only privately or in the officers' group, as the other
      // staff commands (reports.ts); in any other group nothing happens and staff are told why.
      if (ctx.chat.type !== "private" && !(await isOfficerGroup(ctx))) return refuseStaffPlace(ctx, await staffRole(ctx.from!.id, ctx.config.adminIds), "petugas");
      if (!isAdmin(ctx)) {
        ctx.logger.warn("/petugas refused: the sender is not an admin");
        if (ctx.chat.type === "private") return next(); // answered like any unknown command
        return void (await say(staffT("officer.admin.only_admin")));
      }
      const t = ctx.chat.type === "private" ? ctx.t : staffT;
      const [sub = "", ...restWords] = commandArg(ctx).split(/\s+/);
      const op = OPS[sub.toLowerCase()];
      if (!op) {
        const officers = await listOfficers();
        const lines = officers.map((o) => t("officer.admin.officer_line", { officer: mention(o.telegramId, o.name), id: o.telegramId, handles: handlesText(t, o) }));
        const usage = t("officer.admin.usage", { types: REQUEST_TYPES.join(", "), kecamatan: KECAMATAN.join(", ") });
        return void (await say(
          [t("officer.admin.officers_title", { count: officers.length }), ...(lines.length ? lines : [t("officer.admin.officers_empty")]), "", usage].join("\n"),
        ));
      }
      let rest = restWords.join(" ");
      const replied = ctx.message?.reply_to_message?.from;
      let target: { id: number; name?: string; username?: string };
      if (replied && !replied.is_bot) target = { id: replied.id, name: fullName(replied), username: replied.username };
      else if (replied?.is_bot) return void (await say(t("officer.admin.officer_is_bot")));
      else {
        const m = /^(\d{1,15})\b\s*(.*)$/s.exec(rest);
        if (!m || Number(m[1]) <= 0) return void (await say(t("officer.admin.officer_who")));
        target = { id: Number(m[1]) };
        rest = m[2];
      }
      if (target.id === ctx.me.id) return void (await say(t("officer.admin.officer_is_bot")));
      const existing = await findOfficer(target.id);
      let change: OfficerChange;
      if (op === "remove") {
        if (!existing?.active) return void (await say(t("officer.admin.officer_not_found")));
        change = { op, telegramId: target.id, name: existing.name };
      } else {
        const { handles, unknown } = parseHandles(rest);
        if (unknown.length) return void (await say(t("officer.admin.unknown_words", { words: unknown.join(", "), types: REQUEST_TYPES.join(", ") })));
        const name = target.name || existing?.name || t("officer.admin.default_name", { id: target.id });
        change = { op, telegramId: target.id, name, username: target.username, handles };
      }
      // Nothing changes until the same admin presses "Ya, simpan" (asked directly: the answer is awaited).
      const id = await createConfirmation(ctx.from!.id, "officer", change, deps.clock());
      const officer = mention(change.telegramId, change.name);
      const question =
        change.op === "remove" ? t("officer.admin.confirm_remove", { officer }) : t("officer.admin.confirm_add", { officer, handles: handlesText(t, change.handles) });
      await ctx.reply(question, { reply_markup: confirmKeyboard(t, id) });
    });
  return composer;
}
