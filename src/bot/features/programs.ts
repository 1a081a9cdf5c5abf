/**
 * Programs for members on Telegram: the Daftar / Tidak bisa / Batal ikut buttons under an
 * announcement (domain/program-actions.ts), a licence a program requires answered on the way, and
 * /program, the programs open to the member and theirs. Installed before the dialogues, so the
 * buttons work in the middle of one. Who pressed is the update's sender, in their own private chat;
 * the button carries only the program: a forged or stale one is answered in plain words.
 */
import { Composer } from "grammy";
import type { BotContext } from "../context";
import type { Clock } from "../../lib/clock";
import { LICENCE_BUTTON, PROGRAM_BUTTON } from "../../telegram/callback-data";
import { asTelegramCall, memberProgramList, programPress } from "../../telegram/program-messages";
import { programsForMember } from "../../domain/programs";
import type { MachineOutput } from "../../domain/request-machine";
import { isOwnPrivateChat } from "../staff";
import { staffRole } from "../../domain/officers";

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

  composer.callbackQuery([PROGRAM_BUTTON, LICENCE_BUTTON], async (ctx, next) => {
    if (isOwnPrivateChat(ctx) && ctx.member?.registered) return next();
    ctx.logger.warn({ data: ctx.callbackQuery.data, chat_type: ctx.chat?.type }, "program button outside a registered member's private chat");
    await ctx.answerCallbackQuery({ text: ctx.t(ctx.member?.registered ? "program.gone" : "status.not_registered"), show_alert: true });
  });

  own.callbackQuery([PROGRAM_BUTTON, LICENCE_BUTTON], async (ctx) => {
    await ctx.answerCallbackQuery();
    const out = await programPress(ctx.callbackQuery.data, ctx.from.id, ctx.t, ctx.locale, deps.clock());
    if (out) await send(ctx, out);
  });

  own.command("program", async (ctx, next) => {
    // Officers and admins get their own list (features/program-staff.ts).
    if (await staffRole(ctx.from!.id, ctx.config.adminIds)) return next();
    const m = ctx.member;
    if (!m?.registered) return void (await ctx.reply(ctx.t("status.not_registered")));
    const now = deps.clock();
    const { open, mine } = await programsForMember({ telegramId: m.telegramId, sentraId: m.sentraId ?? null, kecamatan: m.kecamatan ?? null }, now);
    for (const out of memberProgramList(ctx.t, open, mine, ctx.locale, now)) await send(ctx, out);
  });

  return composer;
}
