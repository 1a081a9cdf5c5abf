import type { Message } from "grammy/types";
import type { Dialogue, DialogueContext } from "../context";
import { ask, checkText, wrongInputText } from "./ask";
import { askChoice, askMulti, askText } from "./ask-choices";
import { KECAMATAN, type Kecamatan } from "../../vocabulary/kecamatan";
import { normalizeContactPhone, normalizeIndonesianPhone } from "../../domain/phone";
import { findMemberByTelegramId, registerMember, type MemberView, type Registration } from "../../domain/members";
import { findSentraBySlug, listSentras, sentraChairedBy } from "../../domain/sentras";
import { adoptWhatsAppMember } from "../../domain/whatsapp-members";
import { refreshChatMenu } from "../commands";
import { queueMembershipReview } from "../../domain/chairpersons";
import { mainMenuKeyboard } from "../keyboards/main-menu";
import { BUSINESS_MAX, NAME_MAX, PRODUCTS_MAX } from "../../lib/limits";
import { productChoices } from "../../domain/request-definitions";
import { asTelegramCall, licenceProfile } from "../../telegram/program-messages";

export const ONBOARDING_ID = "onboarding";
export { NAME_MAX, BUSINESS_MAX, PRODUCTS_MAX };

export interface OnboardingArgs {
  /** Changing the data of a registered member: consent is not asked again, current answers are offered. */
  edit?: boolean;
  /** Registering through a sentra's link (`/start s-<slug>`): its kecamatan and sentra are filled in. */
  sentraSlug?: string;
}

/** The registration dialogue. Returns the saved member, or null when consent was declined. */
export async function onboarding(conversation: Dialogue, ctx: DialogueContext, args: OnboardingArgs = {}): Promise<MemberView | null> {
  const userId = ctx.from!.id;
  const t = ctx.t;
  const current = args.edit ? await conversation.external(() => findMemberByTelegramId(userId)) : null;

  if (!args.edit || !current?.registered) {
    const consent = await askChoice(conversation, ctx, {
      prompt: t("onboarding.consent"),
      choices: [
        { value: "yes", label: t("onboarding.consent_yes") },
        { value: "no", label: t("onboarding.consent_no") },
      ],
    });
    if (consent === "no") {
      await ctx.reply(t("onboarding.declined"), { reply_markup: { remove_keyboard: true } });
      return null;
    }
  }

  // Button labels are plain text, not HTML: the member's own words go in unescaped.
  const raw = { interpolation: { escapeValue: false } };
  const keep = (value: string | undefined) => (value ? [{ label: t("onboarding.keep", { value, ...raw }), value }] : []);
  const telegramName = [ctx.from?.first_name, ctx.from?.last_name].filter(Boolean).join(" ").trim();
  const nameSuggestions = current?.name
    ? keep(current.name)
    : telegramName && telegramName.length <= NAME_MAX
      ? [{ label: t("onboarding.use_telegram_name", { name: telegramName, ...raw }), value: telegramName }]
      : [];
  const name = await askText(conversation, ctx, { prompt: t("onboarding.ask_name"), max: NAME_MAX, suggestions: nameSuggestions });

  const { phone, verified: phoneVerified } = await askPhone(conversation, ctx, userId, current?.phone);
  // With current answers offered as inline buttons the next question cannot also remove the
  // phone keyboard, so it is removed here.
  if (current?.businessName) await ctx.reply(t("onboarding.phone_saved"), { reply_markup: { remove_keyboard: true } });

  const businessName = await askText(conversation, ctx, {
    prompt: t("onboarding.ask_business", { name }),
    max: BUSINESS_MAX,
    suggestions: keep(current?.businessName),
    reply_markup: { remove_keyboard: true },
  });
  // Through a sentra's link: its kecamatan and sentra, said once instead of asked.
  const linked =
    args.sentraSlug && !args.edit
      ? await conversation.external(() => findSentraBySlug(args.sentraSlug!).then((s) => s && { id: s.id, name: s.name, kecamatan: s.kecamatan, products: s.products }))
      : null;
  let kecamatan: Kecamatan;
  let sentraProducts: string[] = [];
  let sentraChoice: string;
  let sentraName: string = t("onboarding.no_sentra");
  if (linked) {
    kecamatan = linked.kecamatan;
    sentraChoice = linked.id;
    sentraName = linked.name;
    sentraProducts = linked.products;
    await ctx.reply(t("onboarding.sentra_from_link", { sentra: linked.name, kecamatan }));
  } else {
    kecamatan = await askChoice<Kecamatan>(conversation, ctx, {
      prompt: t("onboarding.ask_kecamatan"),
      choices: KECAMATAN.map((k) => ({ value: k, label: k })),
      columns: 2,
    });
    // Only the chosen kecamatan's active sentras (a handful): a sentra elsewhere cannot be picked, typed
    // or pressed (the buttons are indexes into this list), and the list stays within Telegram's limits.
    const sentras = await conversation.external(async () =>
      (await listSentras(kecamatan)).filter((s) => s.kecamatan === kecamatan).map((s) => ({ id: s.id, name: s.name, products: s.products })),
    );
    sentraChoice = await askChoice(conversation, ctx, {
      prompt: t("onboarding.ask_sentra"),
      choices: [...sentras.map((s) => ({ value: s.id, label: s.name })), { value: "none", label: t("onboarding.no_sentra") }],
    });
    sentraName = sentras.find((s) => s.id === sentraChoice)?.name ?? sentraName;
    sentraProducts = sentras.find((s) => s.id === sentraChoice)?.products ?? [];
  }
  let sentraWish: Registration["sentraWish"] = null;
  if (sentraChoice === "none") {
    sentraWish = await askChoice<"join" | "form" | "later">(conversation, ctx, {
      prompt: t("onboarding.why_sentra"),
      choices: [
        { value: "join", label: t("onboarding.wish_join") },
        { value: "form", label: t("onboarding.wish_form") },
        { value: "later", label: t("onboarding.wish_later") },
      ],
    });
  }

  // Asked once the sentra is known: its common products are offered as buttons.
  const products = await askProducts(conversation, ctx, sentraProducts, current?.products);

  const now = await conversation.now();
  const locale = ctx.locale;
  const member = await conversation.external(async (outer) => {
    const chaired = args.edit ? await sentraChairedBy(userId) : null;
    // The same verified phone as a member who registered on WhatsApp: that member, now on Telegram too.
    if (phoneVerified && !args.edit && (await adoptWhatsAppMember(userId, phone, new Date(now)))) outer.logger.info("a WhatsApp member registered on Telegram: one member");
    const saved = await registerMember(
      userId,
      { name, phone, phoneVerified, businessName, products, kecamatan, sentraId: sentraChoice === "none" ? null : sentraChoice, sentraWish },
      new Date(now),
      locale,
    );
    // The sentra's chairperson is asked to confirm a member who says they belong to it.
    await queueMembershipReview(userId, new Date(now), locale);
    // A chairperson who moved to another sentra no longer chairs the old one: their command menu
    // loses the sentra's commands.
    if (chaired && String(chaired.id) !== saved.sentraId) {
      await refreshChatMenu(outer.api, outer.config, userId).catch((err) => outer.logger.warn({ err: String(err) }, "command menu not refreshed after leaving the chaired sentra"));
    }
    return saved;
  });
  await ctx.reply(t(args.edit ? "onboarding.updated" : "onboarding.done", { name, businessName, kecamatan, sentra: sentraName }), { reply_markup: mainMenuKeyboard(t) });
  if (args.edit) {
    // The licences are changed here too, a tap each (the same message as under /program).
    const licences = await conversation.external(async () => (await findMemberByTelegramId(ctx.from!.id))?.licences);
    const call = asTelegramCall(licenceProfile(t, licences));
    await ctx.reply(String(call.payload.text), call.payload as never);
  }
  return member;
}

/** Phone: the share-contact button (own contact only) or a typed Indonesian number. */
async function askPhone(conversation: Dialogue, ctx: DialogueContext, userId: number, current?: string): Promise<{ phone: string; verified: boolean }> {
  const t = ctx.t;
  const keyboard = [[{ text: t("onboarding.share_phone"), request_contact: true }], ...(current ? [[{ text: current }]] : [])];
  return ask<{ phone: string; verified: boolean }>(conversation, ctx, {
    send: (c): Promise<Message.TextMessage> =>
      c.reply(t("onboarding.ask_phone"), {
        reply_markup: { keyboard, resize_keyboard: true, one_time_keyboard: true, input_field_placeholder: "08…" },
      }),
    judge: (input) => {
      if (input.kind === "contact") {
        if (input.userId !== userId) return { ok: false, error: t("onboarding.foreign_contact") };
        const phone = normalizeContactPhone(input.phone);
        return phone ? { ok: true, value: { phone, verified: true } } : { ok: false, error: t("onboarding.invalid_phone") };
      }
      if (input.kind === "text") {
        const checked = checkText(input.ctx, input.text, 30);
        if (!checked.ok) return checked;
        const phone = normalizeIndonesianPhone(checked.value);
        return phone ? { ok: true, value: { phone, verified: false } } : { ok: false, error: t("onboarding.invalid_phone") };
      }
      return { ok: false, error: wrongInputText(input.ctx, input, "contact") };
    },
  });
}

/**
 * What the member makes. With a sentra that lists its common products: those as buttons to tick (and
 * the member's current ones when changing), plus "Lainnya" to type the rest; otherwise typed. Stored
 * as one list, "keripik bayam, kue potong", which request dialogues offer back as buttons.
 */
async function askProducts(conversation: Dialogue, ctx: DialogueContext, common: string[], current?: string): Promise<string> {
  const t = ctx.t;
  if (common.length === 0) {
    return askText(conversation, ctx, {
      prompt: t("onboarding.ask_products"),
      max: PRODUCTS_MAX,
      suggestions: current ? [{ label: t("onboarding.keep", { value: current, interpolation: { escapeValue: false } }), value: current }] : [],
      // A list: one product per line is as good as commas (see productChoices).
      multiline: true,
    });
  }
  const mine = productChoices(current);
  const lower = new Set(common.map((p) => p.toLowerCase()));
  const offered = [...common, ...mine.filter((p) => !lower.has(p.toLowerCase()))];
  const other = "__other";
  const picked = await askMulti(conversation, ctx, {
    prompt: t("onboarding.ask_products_pick"),
    choices: [...offered.map((p) => ({ value: p, label: p })), { value: other, label: t("onboarding.other_products") }],
    columns: 2,
    ticked: offered.filter((p) => mine.some((m) => m.toLowerCase() === p.toLowerCase())),
  });
  const chosen = picked.filter((p) => p !== other);
  if (!picked.includes(other)) return chosen.join(", ");
  const typed = await askText(conversation, ctx, { prompt: t("onboarding.ask_other_products"), max: PRODUCTS_MAX, multiline: true });
  return [...chosen, typed].join(", ");
}
