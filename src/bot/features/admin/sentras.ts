/**
 * /sentra (admins, private chat): the sentras with their links, `/sentra qr <slug>` (the link as a
 * picture to print), `/sentra produk <slug> a, b, c` (the products registration offers), and the
 * buttons that add or rename a sentra (conversations/admin.ts).
 */
import { Composer, InputFile } from "grammy";
import type { BotContext } from "../../context";
import { ADMIN_SENTRA_ID } from "../../conversations/admin";
import { listSentras, setSentraProducts, SENTRA_PRODUCTS_MAX, SENTRA_PRODUCT_MAX } from "../../../domain/sentras";
import { escapeHtml } from "../../../i18n";
import { audit } from "../../../domain/audit";
import { commandArg } from "../../command-arg";
import { ADMIN_SENTRA, ADMIN_SENTRA_BUTTON } from "../../../telegram/callback-data";
import type { Clock } from "../../../lib/clock";
import { sentraLink, sentraQrPng, sentraWhatsAppLink } from "../../../telegram/sentra-link";
import { clipText, linesToMessages } from "../../../lib/text";
import { adminPrivate } from "./guard";

/** How much of a typed slug an answer repeats (anything can be typed; slugs have at most 60). */
const SLUG_SHOWN = 64;

export function createSentrasFeature(deps: { clock: Clock }): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const admin = adminPrivate(composer, { commands: ["sentra"], buttons: [ADMIN_SENTRA_BUTTON] });

  admin.command("sentra", async (ctx) => {
    const sentras = await listSentras();
    const unknown = (typed: string) => ctx.reply(ctx.t("admin.sentra_qr_unknown", { slug: clipText(typed, SLUG_SHOWN) }));
    const qr = /^qr\s+(\S+)$/i.exec(commandArg(ctx));
    if (qr) {
      const sentra = sentras.find((s) => s.slug === qr[1].toLowerCase());
      if (!sentra) return void (await unknown(qr[1]));
      const link = sentraLink(ctx.me.username, sentra.slug);
      await ctx.replyWithPhoto(new InputFile(await sentraQrPng(link), `sentra-${sentra.slug}.png`), {
        caption: ctx.t("admin.sentra_qr_caption", { sentra: sentra.name, link }),
      });
      // With the WhatsApp channel's number: the same invitation for WhatsApp, a second picture.
      const number = ctx.config.whatsapp?.number;
      if (number) {
        const wa = sentraWhatsAppLink(number, sentra.slug);
        await ctx.replyWithPhoto(new InputFile(await sentraQrPng(wa), `sentra-${sentra.slug}-whatsapp.png`), {
          caption: ctx.t("admin.sentra_qr_caption_whatsapp", { sentra: sentra.name, link: wa }),
        });
      }
      return;
    }
    const products = /^produk\s+(\S+)\s+([\s\S]+)$/i.exec(commandArg(ctx));
    if (products) {
      const slug = products[1].toLowerCase();
      if (!sentras.some((s) => s.slug === slug)) return void (await unknown(products[1]));
      let updated;
      try {
        updated = await setSentraProducts(slug, products[2].split(/[,;\n]+/));
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        return void (await ctx.reply(ctx.t("admin.sentra_products_invalid", { max: SENTRA_PRODUCTS_MAX, length: SENTRA_PRODUCT_MAX })));
      }
      if (!updated) return void (await unknown(products[1]));
      await audit(ctx.from.id, "sentra.products", { sentraId: updated.id, products: updated.products }, deps.clock());
      return void (await ctx.reply(ctx.t("admin.sentra_products_set", { sentra: updated.name, products: updated.products.join(", ") || "—" })));
    }
    const waNumber = ctx.config.whatsapp?.number;
    const lines = sentras.map(
      (s) =>
        `• <b>${escapeHtml(s.name)}</b> — ${escapeHtml(s.kecamatan)}${s.chairpersonTelegramId ? " 👤" : ""}\n  ${escapeHtml(sentraLink(ctx.me.username, s.slug))} · <code>/sentra qr ${escapeHtml(s.slug)}</code>${waNumber ? `\n  WhatsApp: ${escapeHtml(sentraWhatsAppLink(waNumber, s.slug))}` : ""}\n  ${ctx.t("admin.sentra_products_line", { products: escapeHtml(s.products.join(", ") || "—"), slug: s.slug })}`,
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
  });

  admin.callbackQuery(ADMIN_SENTRA_BUTTON, async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter(ADMIN_SENTRA_ID, { op: ctx.match[1] === "add" ? "add" : "rename" });
  });
  return composer;
}
