/**
 * Programs for members on Telegram: the Daftar / Tidak bisa / Batal ikut buttons under an
 * announcement (domain/program-actions.ts), a licence a program requires answered on the way, and
 * /program, the programs open to the member and theirs; for a chairperson also, per program, who of
 * the sentra registered and *Daftarkan anggota* (conversations/program-chair.ts). Installed before the dialogues, so the
 * buttons work in the middle of one. Who pressed is the update's sender, in their own private chat;
 * the button carries only the program: a forged or stale one is answered in plain words.
 */
import { Composer } from "grammy";
import type { BotContext } from "../context";
import type { Clock } from "../../lib/clock";
import {
  GUEST_CANCEL_BUTTON,
  LICENCE_BUTTON,
  LICENCE_PROFILE_BUTTON,
  PROGRAM_BUTTON,
  PROGRAM_CHAIR_BUTTON,
  guestCancelData,
  programChairButtonData,
} from "../../telegram/callback-data";
import { cancelGuestSeat } from "../../domain/program-actions";
import { formatWita } from "../../lib/time";
import { asTelegramCall, memberProgramList, programPress } from "../../telegram/program-messages";
import type { MachineOutput } from "../../domain/request-machine";
import { isOwnPrivateChat } from "../staff";
import { staffRole } from "../../domain/officers";
import { findProgram, programsForMember } from "../../domain/programs";
import { sentraChairedBy } from "../../domain/sentras";
import { sentraRoster } from "../../domain/program-roster";
import { escapeHtml } from "../../i18n";
import { linesToMessages } from "../../lib/text";
import { PROGRAM_CHAIR_ID } from "../conversations/program-chair";

export interface ProgramsDeps {
  clock: Clock;
}

async function send(ctx: BotContext, out: MachineOutput): Promise<void> {
  const call = asTelegramCall(out);
  await ctx.reply(String(call.payload.text), call.payload as never);
}

export function createProgramsFeature(deps: ProgramsDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const own = composer.filter((ctx) => isOwnPrivateChat(ctx));

  composer.callbackQuery([PROGRAM_BUTTON, LICENCE_BUTTON, LICENCE_PROFILE_BUTTON], async (ctx, next) => {
    if (isOwnPrivateChat(ctx) && ctx.member?.registered) return next();
    ctx.logger.warn({ data: ctx.callbackQuery.data, chat_type: ctx.chat?.type }, "program button outside a registered member's private chat");
    await ctx.answerCallbackQuery({ text: ctx.t(ctx.member?.registered ? "program.gone" : "status.not_registered"), show_alert: true });
  });

  own.callbackQuery([PROGRAM_BUTTON, LICENCE_BUTTON, LICENCE_PROFILE_BUTTON], async (ctx) => {
    await ctx.answerCallbackQuery();
    const out = await programPress(ctx.callbackQuery.data, ctx.from.id, ctx.t, ctx.locale, deps.clock());
    if (!out) return;
    // The licences' message changes in place (Telegram can edit; WhatsApp sends it again).
    if (LICENCE_PROFILE_BUTTON.test(ctx.callbackQuery.data)) {
      const call = asTelegramCall(out);
      const edited = await ctx.editMessageText(String(call.payload.text), call.payload as never).then(
        () => true,
        () => false,
      );
      if (edited) return;
    }
    await send(ctx, out);
  });

  own.command("program", async (ctx, next) => {
    // Officers and admins get their own list (features/program-staff.ts).
    if (await staffRole(ctx.from!.id, ctx.config.adminIds)) return next();
    const m = ctx.member;
    if (!m?.registered) return void (await ctx.reply(ctx.t("status.not_registered")));
    const now = deps.clock();
    const { open, mine } = await programsForMember({ telegramId: m.telegramId, sentraId: m.sentraId ?? null, kecamatan: m.kecamatan ?? null }, now);
    for (const out of memberProgramList(ctx.t, open, mine, ctx.locale, now, m.licences)) await send(ctx, out);
    // A chairperson also sees, per program open to the sentra, who of it registered, and can register others.
    const sentra = await sentraChairedBy(m.telegramId);
    if (!sentra) return;
    for (const p of open) {
      const rows = await sentraRoster(p, sentra.id, m.telegramId);
      await ctx.reply(ctx.t("program_chair.summary", { code: p.code, title: escapeHtml(p.title), sentra: escapeHtml(sentra.name), count: rows.length }), {
        reply_markup: {
          inline_keyboard: [
            [
              { text: ctx.t("program_chair.btn_view"), callback_data: programChairButtonData("v", p.id) },
              { text: ctx.t("program_chair.btn_register"), callback_data: programChairButtonData("r", p.id) },
            ],
          ],
        },
      });
    }
  });

  return composer;
}

/**
 * A chairperson's buttons under a program (installed after the dialogues, since *Daftarkan anggota*
 * enters one): the sentra's registrations, or registering someone of the sentra.
 */
export function createProgramChairFeature(deps: ProgramsDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const own = composer.filter((ctx) => isOwnPrivateChat(ctx));
  // Decided again from the sender on every press: the button carries only the program.
  own.callbackQuery(PROGRAM_CHAIR_BUTTON, async (ctx) => {
    const sentra = await sentraChairedBy(ctx.from.id);
    const p = sentra ? await findProgram(ctx.match[2]) : null;
    if (!sentra) return void (await ctx.answerCallbackQuery({ text: ctx.t("admin.not_allowed"), show_alert: true }));
    if (!p || p.status !== "open") return void (await ctx.answerCallbackQuery({ text: ctx.t("program.gone"), show_alert: true }));
    await ctx.answerCallbackQuery();
    if (ctx.match[1] === "r") return void (await ctx.conversation.enter(PROGRAM_CHAIR_ID, { programId: p.id }));
    const rows = await sentraRoster(p, sentra.id, ctx.from.id);
    const lines = rows.map(
      (x, i) =>
        `${i + 1}. ${escapeHtml(x.name ?? "—")} (${escapeHtml(x.businessName ?? "—")}) · ${x.place.kind === "seat" ? ctx.t("program_chair.seat") : ctx.t("program_chair.waiting", { position: x.place.position })}${x.guest ? ` · ${ctx.t("program_chair.guest")}` : ""}`,
    );
    const texts = linesToMessages(
      ctx.t("program_chair.list_title", { code: p.code, sentra: escapeHtml(sentra.name), count: rows.length }),
      lines.length ? lines : [ctx.t("program_staff.no_participants")],
    );
    // The guests this chairperson registered can be cancelled here (members cancel their own).
    const guests = rows.filter((x) => x.guest && x.by === ctx.from.id);
    const keyboard = guests
      .slice(0, 20)
      .map((x) => [{ text: ctx.t("program_chair.btn_cancel_guest", { who: (x.name ?? "—").slice(0, 40) }), callback_data: guestCancelData(p.id, x.k) }]);
    for (const [i, text] of texts.entries()) await ctx.reply(text, i === texts.length - 1 && keyboard.length ? { reply_markup: { inline_keyboard: keyboard } } : {});
  });

  own.callbackQuery(GUEST_CANCEL_BUTTON, async (ctx) => {
    const sentra = await sentraChairedBy(ctx.from.id);
    if (!sentra) return void (await ctx.answerCallbackQuery({ text: ctx.t("admin.not_allowed"), show_alert: true }));
    const r = await cancelGuestSeat(ctx.match[1], ctx.from.id, Number(ctx.match[2]), deps.clock());
    await ctx.answerCallbackQuery();
    if (r.kind === "gone") return void (await ctx.reply(ctx.t("program.gone")));
    const title = escapeHtml(r.program.title);
    const key = r.kind === "left" ? "program_chair.guest_cancelled" : r.kind === "not_registered" ? "program_chair.guest_not_found" : `program.leave_${r.kind}`;
    await ctx.reply(ctx.t(key, { title, code: r.program.code, deadline: formatWita(r.program.deadline, ctx.locale) }));
  });

  composer.callbackQuery([PROGRAM_CHAIR_BUTTON, GUEST_CANCEL_BUTTON], (ctx) => ctx.answerCallbackQuery({ text: ctx.t("admin.not_allowed"), show_alert: true }));
  return composer;
}
