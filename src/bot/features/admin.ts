import { Composer, InputFile } from "grammy";
import type { BotContext } from "../context";
import { ADMIN_CHAIR_ID, ADMIN_SENTRA_ID } from "../conversations/admin";
import { listSentras, setSentraProducts, SENTRA_PRODUCTS_MAX, SENTRA_PRODUCT_MAX } from "../../domain/sentras";
import { escapeHtml, tFor, type TFunction } from "../../i18n";
import { isMonthlyReportOn, setMonthlyReport, getOfficeContact, OFFICE_CONTACT_MAX, setOfficeContact, setOfficerGroupId } from "../../domain/settings";
import { audit } from "../../domain/audit";
import { findOfficer, listOfficers, staffRole, parseHandles, removeOfficer, upsertOfficer, type Handles } from "../../domain/officers";
import { STAFF_LOCALE } from "../../domain/officer-actions";
import { REQUEST_TYPES } from "../../vocabulary/request-types";
import { KECAMATAN } from "../../vocabulary/kecamatan";
import { createConfirmation, takeConfirmation, type ConfirmationAction, type ConfirmationPayloads, type OfficerChange, type PendingChange } from "../../domain/confirmations";
import { confirmKeyboard } from "../../telegram/confirm-keyboard";
import { isAdmin } from "../guards/admin";
import { commandArg } from "../command-arg";
import { mention } from "../../telegram/render";
import { refreshChatMenu, refreshCommands } from "../commands";
import { fullName, isOfficerGroup, isStaffPlace, refuseStaffPlace, sayToStaff } from "../staff";
import { ADMIN_SENTRA, ADMIN_SENTRA_BUTTON, CONFIRM_BUTTON } from "../../telegram/callback-data";
import { type Clock } from "../../lib/clock";
import { sentraLink, sentraQrPng } from "../../telegram/sentra-link";
import { applyHolidayChange } from "./holidays";
import { clipText, linesToMessages } from "../../lib/text";

/** How much of a typed slug an answer repeats (anything can be typed; slugs have at most 60). */
const SLUG_SHOWN = 64;

/** An office contact as typed: invisible characters dropped (line breaks kept), a letter or digit, within the limit. */
function cleanContact(typed: string): string | null {
  const text = typed
    .replace(/[\p{Cc}\p{Cf}]/gu, (c) => (c === "\n" ? c : ""))
    .split("\n")
    .map((line) => line.trim().replace(/\s+/g, " "))
    .filter(Boolean)
    .join("\n");
  return /[\p{L}\p{N}]/u.test(text) && [...text].length <= OFFICE_CONTACT_MAX ? text : null;
}

export { isAdmin };

function handlesText(t: TFunction, h: Handles): string {
  const words = [...h.types.map((x) => t(`labels.type.${x}`)), ...h.kecamatan];
  return words.length ? words.join(", ") : t("officer.admin.handles_none");
}

/**
 * Admin commands: in a private chat (sentras, chairpersons), and in the officers' group or privately
 * (/sambungkan links the group, /petugas manages officers, confirmed by a button). Identity is the sender of the update, checked here on every
 * command and button; anyone else gets the answer for an unknown command (and it is logged).
 */
export function createAdminFeature(deps: { clock: Clock }): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const staffT = tFor(STAFF_LOCALE);
  const say = (ctx: BotContext, text: string) => sayToStaff(ctx, text, deps.clock());
  const pm = composer.chatType("private");

  type AdminAction = Exclude<ConfirmationAction, "free_message">;
  // What a confirmed change does, by its kind (the payload typed by domain/confirmations.ts).
  type Apply<A extends ConfirmationAction> = (ctx: BotContext & { from: { id: number } }, t: TFunction, payload: ConfirmationPayloads[A], now: Date) => Promise<void>;
  const APPLY: { [A in AdminAction]: Apply<A> } = {
    office_contact: async (ctx, t, { contact }, now) => {
      await setOfficeContact(contact, ctx.from.id);
      await audit(ctx.from.id, "office_contact.set", { contact }, now);
      await ctx.editMessageText(contact ? t("admin.contact_saved", { contact }) : t("admin.contact_removed"));
    },
    holiday: async (ctx, _t, change, now) => void (await ctx.editMessageText(await applyHolidayChange(ctx, change, now))),
    officer: (ctx, t, change, now) => applyOfficerChange(ctx, t, change, now),
  };
  const applyChange = <A extends AdminAction>(ctx: BotContext & { from: { id: number } }, t: TFunction, change: PendingChange & { action: A }, now: Date) =>
    (APPLY[change.action] as Apply<A>)(ctx, t, change.payload as ConfirmationPayloads[A], now);

  async function applyOfficerChange(ctx: BotContext & { from: { id: number } }, t: TFunction, change: OfficerChange, now: Date): Promise<void> {
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

  const adminOnly = (handler: (ctx: BotContext) => Promise<unknown>) => async (ctx: BotContext, next: () => Promise<void>) => {
    if (!isAdmin(ctx)) {
      ctx.logger.warn({ command: ctx.message?.text?.split(/\s/)[0], data: ctx.callbackQuery?.data }, "admin command refused");
      if (ctx.callbackQuery) {
        await ctx.answerCallbackQuery({ text: ctx.t("admin.not_allowed"), show_alert: true });
        return;
      }
      return next(); // answered by the unknown-command handler, like any other unknown command
    }
    await handler(ctx);
  };

  pm.command(
    "sentra",
    adminOnly(async (ctx) => {
      const sentras = await listSentras();
      // `/sentra qr <slug>`: the sentra's link as a picture to print.
      const qr = /^qr\s+(\S+)$/i.exec(commandArg(ctx));
      if (qr) {
        const sentra = sentras.find((s) => s.slug === qr[1].toLowerCase());
        if (!sentra) return void (await ctx.reply(ctx.t("admin.sentra_qr_unknown", { slug: clipText(qr[1], SLUG_SHOWN) })));
        const link = sentraLink(ctx.me.username, sentra.slug);
        return void (await ctx.replyWithPhoto(new InputFile(await sentraQrPng(link), `sentra-${sentra.slug}.png`), {
          caption: ctx.t("admin.sentra_qr_caption", { sentra: sentra.name, link }),
        }));
      }
      // `/sentra produk <slug> a, b, c`: the products registration offers as buttons.
      const products = /^produk\s+(\S+)\s+([\s\S]+)$/i.exec(commandArg(ctx));
      if (products) {
        const slug = products[1].toLowerCase();
        if (!sentras.some((s) => s.slug === slug)) return void (await ctx.reply(ctx.t("admin.sentra_qr_unknown", { slug: clipText(products[1], SLUG_SHOWN) })));
        const list = products[2].split(/[,;\n]+/);
        let updated;
        try {
          updated = await setSentraProducts(slug, list);
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          return void (await ctx.reply(ctx.t("admin.sentra_products_invalid", { max: SENTRA_PRODUCTS_MAX, length: SENTRA_PRODUCT_MAX })));
        }
        if (!updated) return void (await ctx.reply(ctx.t("admin.sentra_qr_unknown", { slug: clipText(products[1], SLUG_SHOWN) })));
        await audit(ctx.from!.id, "sentra.products", { sentraId: updated.id, products: updated.products }, deps.clock());
        return void (await ctx.reply(ctx.t("admin.sentra_products_set", { sentra: updated.name, products: updated.products.join(", ") || "—" })));
      }
      const lines = sentras.map(
        (s) =>
          `• <b>${escapeHtml(s.name)}</b> — ${escapeHtml(s.kecamatan)}${s.chairpersonTelegramId ? " 👤" : ""}\n  ${escapeHtml(sentraLink(ctx.me.username, s.slug))} · <code>/sentra qr ${escapeHtml(s.slug)}</code>\n  ${ctx.t("admin.sentra_products_line", { products: escapeHtml(s.products.join(", ") || "—"), slug: s.slug })}`,
      );
      // Many sentras with long product lists go out as several messages; the buttons with the last.
      const messages = linesToMessages(ctx.t("admin.sentra_list_title", { count: sentras.length }), lines.length ? lines : [ctx.t("admin.no_sentras")]);
      for (const text of messages.slice(0, -1)) await ctx.reply(text);
      await ctx.reply(messages.at(-1)!, {
        reply_markup: {
          inline_keyboard: [
            [{ text: ctx.t("admin.btn_add_sentra"), callback_data: ADMIN_SENTRA.add }],
            [{ text: ctx.t("admin.btn_rename_sentra"), callback_data: ADMIN_SENTRA.rename }],
          ],
        },
      });
    }),
  );
  pm.callbackQuery(
    ADMIN_SENTRA_BUTTON,
    adminOnly(async (ctx) => {
      await ctx.answerCallbackQuery();
      await ctx.conversation.enter(ADMIN_SENTRA_ID, { op: ctx.match?.[1] === "add" ? "add" : "rename" });
    }),
  );
  // /kontak: how members reach the office (shown in /bantuan, the request confirmation, a decline).
  pm.command(
    "kontak",
    adminOnly(async (ctx) => {
      const arg = commandArg(ctx);
      if (!arg) {
        const current = await getOfficeContact();
        return void (await ctx.reply(
          [current ? ctx.t("admin.contact_current", { contact: current }) : ctx.t("admin.contact_none"), ctx.t("admin.contact_usage", { max: OFFICE_CONTACT_MAX })].join("\n\n"),
        ));
      }
      const remove = /^(hapus|remove)$/i.test(arg);
      const checked = remove ? null : cleanContact(arg);
      if (!remove && !checked) return void (await ctx.reply(ctx.t("admin.contact_usage", { max: OFFICE_CONTACT_MAX })));
      const id = await createConfirmation(ctx.from!.id, "office_contact", { contact: checked }, deps.clock());
      await ctx.reply(checked ? ctx.t("admin.contact_confirm", { contact: checked }) : ctx.t("admin.contact_confirm_remove"), { reply_markup: confirmKeyboard(ctx.t, id) });
    }),
  );
  pm.command(
    "ketua",
    adminOnly((ctx) => ctx.conversation.enter(ADMIN_CHAIR_ID)),
  );
  // /laporanbulanan [hidup|mati]: last month's recap for the admins on the first working day (monthly-report-job.ts).
  pm.command(
    "laporanbulanan",
    adminOnly(async (ctx) => {
      const arg = commandArg(ctx).toLowerCase();
      if (arg) {
        const on = /^(hidup|on|nyala)$/.test(arg) ? true : /^(mati|off)$/.test(arg) ? false : null;
        if (on === null) return void (await ctx.reply(ctx.t("reports.monthly_usage")));
        await setMonthlyReport(on, ctx.from!.id);
        await audit(ctx.from!.id, "monthly_report.set", { on }, deps.clock());
      }
      await ctx.reply(ctx.t((await isMonthlyReportOn()) ? "reports.monthly_state_on" : "reports.monthly_state_off"));
    }),
  );

  // The staff commands, in the officers' group or privately: linking the group and managing officers.
  const staff = composer.filter((ctx) => ctx.chat !== undefined);
  staff.command("sambungkan", async (ctx, next) => {
    if (ctx.chat.type === "private") {
      if (!isAdmin(ctx)) return next();
      await ctx.reply(ctx.t("officer.admin.link_in_group"));
      return;
    }
    if (!isAdmin(ctx)) {
      ctx.logger.warn("/sambungkan refused: the sender is not an admin");
      await say(ctx, staffT("officer.admin.only_admin"));
      return;
    }
    const fixed = ctx.config.officerGroupId;
    if (fixed !== undefined && fixed !== ctx.chat.id) {
      await ctx.reply(staffT("officer.admin.link_env", { id: fixed }));
      return;
    }
    await setOfficerGroupId(ctx.chat.id, ctx.from!.id);
    await audit(ctx.from!.id, "officer_group.link", { chatId: ctx.chat.id }, deps.clock());
    // Said directly: until now this was not the officers' group, and the answer is awaited.
    await ctx.reply(staffT("officer.admin.link_done"));
    await refreshCommands(ctx.api, ctx.config).catch((err) => ctx.logger.warn({ err: String(err) }, "command menus not refreshed"));
  });

  staff.command("petugas", async (ctx, next) => {
    // The officers' names, ids and duties: only privately or in the officers' group, as the other
    // staff commands (reports.ts); in any other group nothing happens and staff are told why.
    if (ctx.chat.type !== "private" && !(await isOfficerGroup(ctx))) return refuseStaffPlace(ctx, await staffRole(ctx.from!.id, ctx.config.adminIds), "petugas");
    if (!isAdmin(ctx)) {
      ctx.logger.warn("/petugas refused: the sender is not an admin");
      if (ctx.chat.type === "private") return next(); // answered like any unknown command
      await say(ctx, staffT("officer.admin.only_admin"));
      return;
    }
    const now = deps.clock();
    const t = ctx.chat.type === "private" ? ctx.t : staffT;
    const args = commandArg(ctx);
    const [sub = "", ...restWords] = args.split(/\s+/);
    const op = ({ tambah: "add", add: "add", ubah: "add", atur: "add", hapus: "remove", remove: "remove" } as Record<string, "add" | "remove">)[sub.toLowerCase()];
    if (!op) {
      const officers = await listOfficers();
      const lines = officers.map((o) => t("officer.admin.officer_line", { officer: mention(o.telegramId, o.name), id: o.telegramId, handles: handlesText(t, o) }));
      const usage = t("officer.admin.usage", { types: REQUEST_TYPES.join(", "), kecamatan: KECAMATAN.join(", ") });
      await say(ctx, [t("officer.admin.officers_title", { count: officers.length }), ...(lines.length ? lines : [t("officer.admin.officers_empty")]), "", usage].join("\n"));
      return;
    }
    let rest = restWords.join(" ");
    const replied = ctx.message?.reply_to_message?.from;
    let target: { id: number; name?: string; username?: string } | undefined;
    if (replied && !replied.is_bot) target = { id: replied.id, name: fullName(replied), username: replied.username };
    else if (replied?.is_bot) return void (await say(ctx, t("officer.admin.officer_is_bot")));
    else {
      const m = /^(\d{1,15})\b\s*(.*)$/s.exec(rest);
      if (!m || Number(m[1]) <= 0) return void (await say(ctx, t("officer.admin.officer_who")));
      target = { id: Number(m[1]) };
      rest = m[2];
    }
    if (target.id === ctx.me.id) return void (await say(ctx, t("officer.admin.officer_is_bot")));
    const existing = await findOfficer(target.id);
    let change: OfficerChange;
    if (op === "remove") {
      if (!existing?.active) return void (await say(ctx, t("officer.admin.officer_not_found")));
      change = { op, telegramId: target.id, name: existing.name };
    } else {
      const { handles, unknown } = parseHandles(rest);
      if (unknown.length) {
        return void (await say(ctx, t("officer.admin.unknown_words", { words: unknown.join(", "), types: REQUEST_TYPES.join(", ") })));
      }
      const name = target.name || existing?.name || t("officer.admin.default_name", { id: target.id });
      change = { op, telegramId: target.id, name, username: target.username, handles };
    }
    // Nothing changes until the same admin presses "Ya, simpan" (asked directly: the answer is awaited).
    const id = await createConfirmation(ctx.from!.id, "officer", change, now);
    const officer = mention(change.telegramId, change.name);
    const question = change.op === "remove" ? t("officer.admin.confirm_remove", { officer }) : t("officer.admin.confirm_add", { officer, handles: handlesText(t, change.handles) });
    await ctx.reply(question, { reply_markup: confirmKeyboard(t, id) });
  });

  staff.callbackQuery(CONFIRM_BUTTON, async (ctx) => {
    const t = ctx.chat?.type === "private" ? ctx.t : staffT;
    if (!isAdmin(ctx)) {
      ctx.logger.warn({ data: ctx.callbackQuery.data }, "confirmation button refused: the sender is not an admin");
      await ctx.answerCallbackQuery({ text: t("admin.not_allowed"), show_alert: true });
      return;
    }
    if (!(await isStaffPlace(ctx))) return refuseStaffPlace(ctx, "admin", "confirmation button");
    const now = deps.clock();
    const taken = await takeConfirmation(ctx.match[2], ctx.from.id, now);
    if (!taken.ok) {
      // A stored change of an unknown kind or shape is refused like one already gone (and logged).
      if (taken.reason === "invalid") ctx.logger.warn({ data: ctx.callbackQuery.data }, "confirmation refused: unknown kind or payload of the wrong shape");
      const reason = taken.reason === "invalid" ? "gone" : taken.reason;
      await ctx.answerCallbackQuery({ text: t(`officer.admin.confirm_${reason}`), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    if (ctx.match[1] === "no") {
      await ctx.editMessageText(t("admin.nothing_changed"));
      return;
    }
    if (taken.change.action === "free_message") {
      ctx.logger.warn({ action: taken.change.action }, "confirmation of another kind pressed as an admin change: ignored");
      return void (await ctx.editMessageText(t("admin.nothing_changed")));
    }
    await applyChange(ctx, t, taken.change, now);
  });

  return composer;
}
