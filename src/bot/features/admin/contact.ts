/**
 * /kontak (admins, private chat): how members reach the office (shown in /bantuan, the request
 * confirmation, a decline). A change is confirmed by the same admin's button (confirm.ts).
 */
import { Composer } from "grammy";
import type { BotContext } from "../../context";
import type { TFunction } from "../../../i18n";
import { getOfficeContact, OFFICE_CONTACT_MAX, setOfficeContact } from "../../../domain/settings";
import { audit } from "../../../domain/audit";
import { createConfirmation, type ConfirmationPayloads } from "../../../domain/confirmations";
import { confirmKeyboard } from "../../../telegram/confirm-keyboard";
import { commandArg } from "../../command-arg";
import type { Clock } from "../../../lib/clock";
import { adminPrivate } from "./guard";

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

/** Carries out a confirmed change of the contact (confirm.ts). */
export async function applyContactChange(ctx: BotContext & { from: { id: number } }, t: TFunction, { contact }: ConfirmationPayloads["office_contact"], now: Date): Promise<void> {
  await setOfficeContact(contact, ctx.from.id);
  await audit(ctx.from.id, "office_contact.set", { contact }, now);
  await ctx.editMessageText(contact ? t("admin.contact_saved", { contact }) : t("admin.contact_removed"));
}

export function createContactFeature(deps: { clock: Clock }): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  adminPrivate(composer, { commands: ["kontak"] }).command("kontak", async (ctx) => {
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
    const id = await createConfirmation(ctx.from.id, "office_contact", { contact: checked }, deps.clock());
    await ctx.reply(checked ? ctx.t("admin.contact_confirm", { contact: checked }) : ctx.t("admin.contact_confirm_remove"), { reply_markup: confirmKeyboard(ctx.t, id) });
  });
  return composer;
}
