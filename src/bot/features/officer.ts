/**
 * The officers' group: card buttons, replies to prompts (question, note, reason), replies to cards
 * relayed to the member, /sambungkan and /petugas. Who someone is comes from the update's sender
 * only; callback data names the action and the request, nothing else. What the group must see goes
 * through the outbox (its 20-messages-a-minute budget); button answers are toasts.
 */
import { Composer } from "grammy";
import type { Message, User } from "grammy/types";
import type { BotContext } from "../context";
import type { TFunction } from "../../i18n";
import { LockTimeoutError } from "../../domain/locks";
import { findRequestById } from "../../domain/requests";
import { findMessageRef } from "../../domain/message-refs";
import { getOfficerGroupId, setOfficerGroupId } from "../../domain/settings";
import { audit } from "../../domain/audit";
import {
  findOfficer,
  listOfficers,
  officerNames,
  parseHandles,
  refreshOfficerName,
  removeOfficer,
  staffRole,
  upsertOfficer,
  type Handles,
} from "../../domain/officers";
import { STAFF_LOCALE, ACTION_STATUS, type OfficerAction } from "../../domain/officer-actions";
import { mention } from "../../telegram/render";
import { queueGroupNotice } from "../../telegram/notices";
import {
  answerPrompt,
  changeStatus,
  isPromptCancel,
  claimRequest,
  NOTE_MAX,
  openPrompt,
  relayOfficerMessage,
  type Actor,
  type PromptOutcome,
  type Refusal,
  type RelayContent,
} from "../../domain/workflow";
import { REQUEST_TYPES } from "../../domain/request-types";
import { KECAMATAN } from "../../domain/kecamatan";
import { escapeHtml, tFor } from "../../i18n";
import { createConfirmation, takeConfirmation } from "../../domain/confirmations";
import { refreshChatMenu, refreshCommands } from "../commands";
import { CARD_BUTTON, CONFIRM_BUTTON, confirmButtonData } from "../../telegram/callback-data";

export interface OfficerFeatureDeps {
  clock: () => Date;
}

function fullName(u: Pick<User, "first_name" | "last_name">): string {
  return [u.first_name, u.last_name].filter(Boolean).join(" ").slice(0, 100);
}

/** The sender as officer or admin, or null. Officers' names follow their Telegram profile. */
export async function actorOf(ctx: BotContext): Promise<Actor | null> {
  if (!ctx.from || ctx.from.is_bot) return null;
  const role = await staffRole(ctx.from.id, ctx.config.adminIds);
  if (!role) return null;
  const name = fullName(ctx.from);
  if (role === "officer") await refreshOfficerName(ctx.from.id, name, ctx.from.username);
  return { telegramId: ctx.from.id, role, name };
}

async function isOfficerGroup(ctx: BotContext): Promise<boolean> {
  const id = await getOfficerGroupId(ctx.config.officerGroupId);
  return id !== undefined && ctx.chat?.id === id;
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

/** What an officer's message carries that can be relayed: text, a photo or a voice note. */
export function relayContent(msg: Message): RelayContent | "wrong_kind" {
  if (msg.text !== undefined) return { text: msg.text };
  if (msg.photo?.length) {
    const best = msg.photo[msg.photo.length - 1];
    return { photo: { fileId: best.file_id, fileUniqueId: best.file_unique_id }, ...(msg.caption ? { text: msg.caption } : {}) };
  }
  if (msg.voice) return { voice: { fileId: msg.voice.file_id, fileUniqueId: msg.voice.file_unique_id, duration: msg.voice.duration }, ...(msg.caption ? { text: msg.caption } : {}) };
  return "wrong_kind";
}

function handlesText(t: TFunction, h: Handles): string {
  const words = [...h.types.map((x) => t(`labels.type.${x}`)), ...h.kecamatan];
  return words.length ? words.join(", ") : t("officer.admin.handles_none");
}

type OfficerChange =
  | { op: "remove"; telegramId: number; name: string }
  | { op: "add"; telegramId: number; name: string; username?: string; handles: Handles };

export function createOfficerFeature(deps: OfficerFeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const staffT = tFor(STAFF_LOCALE);

  /** In the officers' group: through the outbox (the group's budget); elsewhere: a direct reply. */
  const say = async (ctx: BotContext, text: string) => {
    if (await isOfficerGroup(ctx)) await queueGroupNotice(text, { replyTo: ctx.msg?.message_id }, deps.clock());
    else await ctx.reply(text, ctx.msg ? { reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true } } : {});
  };

  composer.callbackQuery(CARD_BUTTON, async (ctx) => {
    const action = ctx.match[1] as OfficerAction;
    const requestId = ctx.match[2];
    const actor = await actorOf(ctx);
    if (!actor) {
      ctx.logger.warn({ data: ctx.callbackQuery.data }, "card button refused: the sender is not an officer or admin");
      await ctx.answerCallbackQuery({ text: ctx.t("officer.cb.not_staff"), show_alert: true });
      return;
    }
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
        const res = await claimRequest(requestId, actor, now);
        if (!res.ok) return void (await ctx.answerCallbackQuery({ text: await refusalText(ctx.t, res), show_alert: true }));
        await ctx.answerCallbackQuery({ text: ctx.t(res.again ? "officer.cb.claimed_again" : "officer.cb.claimed", { code: request.code }) });
        return;
      }
      if (action === "review" || action === "follow") {
        const res = await changeStatus(requestId, actor, ACTION_STATUS[action], undefined, now);
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

  // Replies to the bot's messages in the officers' group: prompt answers and relays to the member.
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
    if (ref.kind === "prompt" && ref.promptId) {
      const outcome: PromptOutcome = await answerPrompt(ref.promptId, actor, ctx.message.text, now);
      if (outcome.ok) {
        await ctx.react("👌").catch(() => undefined);
        return;
      }
      let text: string | undefined;
      if (outcome.reason === "not_yours") {
        ctx.logger.info("prompt answered by another officer: ignored");
        return;
      }
      if ("code" in outcome) {
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
    // Any other message of a request (card, photo, relayed answer): the officer writes to the member.
    const content = relayContent(ctx.message);
    if (content === "wrong_kind") return void (await queueGroupNotice(staffT("officer.notice.relay_wrong_kind"), replyTo, now));
    if ((content.text?.trim().length ?? 0) > NOTE_MAX) {
      return void (await queueGroupNotice(staffT("officer.notice.too_long", { officer, count: content.text!.trim().length, max: NOTE_MAX }), replyTo, now));
    }
    if (!content.photo && !content.voice && !content.text?.trim()) return;
    const res = await relayOfficerMessage(ref.requestId, actor, content, { chatId: ctx.chat.id, messageId: ctx.message.message_id }, now);
    if (!res.ok && res.request) {
      await queueGroupNotice(staffT("officer.notice.closed_no_relay", { code: res.request.code, status: staffT(`labels.status.${res.request.status}`) }), replyTo, now);
    }
  });

  composer.command("sambungkan", async (ctx, next) => {
    const isAdmin = Boolean(ctx.from && ctx.config.adminIds.includes(ctx.from.id));
    if (ctx.chat.type === "private") {
      if (!isAdmin) return next();
      await ctx.reply(ctx.t("officer.admin.link_in_group"));
      return;
    }
    if (!isAdmin) {
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

  composer.command("petugas", async (ctx, next) => {
    // The officers' names, ids and duties: only privately or in the officers' group, as the other
    // staff commands (reports.ts); in any other group nothing visible happens.
    if (ctx.chat.type !== "private" && !(await isOfficerGroup(ctx))) {
      ctx.logger.warn({ command: "petugas", chat_type: ctx.chat.type }, "officer command ignored: not the officers' group");
      return;
    }
    const isAdmin = Boolean(ctx.from && ctx.config.adminIds.includes(ctx.from.id));
    if (!isAdmin) {
      ctx.logger.warn("/petugas refused: the sender is not an admin");
      if (ctx.chat.type === "private") return next(); // answered like any unknown command
      await say(ctx, staffT("officer.admin.only_admin"));
      return;
    }
    const now = deps.clock();
    const t = ctx.chat.type === "private" ? ctx.t : staffT;
    const args = (typeof ctx.match === "string" ? ctx.match : "").trim();
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
    const question =
      change.op === "remove"
        ? t("officer.admin.confirm_remove", { officer })
        : t("officer.admin.confirm_add", { officer, handles: handlesText(t, change.handles) });
    await ctx.reply(question, {
      reply_markup: {
        inline_keyboard: [[
          { text: t("admin.confirm_yes"), callback_data: confirmButtonData(true, id) },
          { text: t("admin.confirm_no"), callback_data: confirmButtonData(false, id) },
        ]],
      },
    });
  });

  composer.callbackQuery(CONFIRM_BUTTON, async (ctx) => {
    const isAdmin = ctx.config.adminIds.includes(ctx.from.id);
    const t = ctx.chat?.type === "private" ? ctx.t : staffT;
    if (!isAdmin) {
      ctx.logger.warn({ data: ctx.callbackQuery.data }, "confirmation button refused: the sender is not an admin");
      await ctx.answerCallbackQuery({ text: t("admin.not_allowed"), show_alert: true });
      return;
    }
    const now = deps.clock();
    const taken = await takeConfirmation(ctx.match[2], ctx.from.id, now);
    if (!taken.ok) {
      await ctx.answerCallbackQuery({ text: t(`officer.admin.confirm_${taken.reason}`), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    if (ctx.match[1] === "no") {
      await ctx.editMessageText(t("admin.nothing_changed"));
      return;
    }
    const change = taken.payload as unknown as OfficerChange;
    if (change.op === "remove") {
      const removed = await removeOfficer(change.telegramId, ctx.from.id, now);
      await ctx.editMessageText(removed ? t("officer.admin.officer_removed", { officer: mention(change.telegramId, change.name) }) : t("officer.admin.officer_not_found"));
      // Their own menu follows the roles they still have (refreshCommands only sets the menus of
      // those who have one): gone, a chairperson's, or an admin's.
      if (removed) {
        await refreshChatMenu(ctx.api, ctx.config, change.telegramId).catch((err) => ctx.logger.warn({ err: String(err) }, "removed officer's command menu not refreshed"));
      }
    } else {
      const { officer, created } = await upsertOfficer(
        { telegramId: change.telegramId, name: change.name, username: change.username, handles: change.handles },
        ctx.from.id,
        now,
      );
      await ctx.editMessageText(
        t(created ? "officer.admin.officer_added" : "officer.admin.officer_updated", { officer: mention(officer.telegramId, officer.name), handles: handlesText(t, officer) }),
      );
    }
    // The officer's own command menu changes with their role.
    await refreshCommands(ctx.api, ctx.config).catch((err) => ctx.logger.warn({ err: String(err) }, "command menus not refreshed"));
  });

  return composer;
}
