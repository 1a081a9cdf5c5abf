/**
 * A chairperson files a request for a member of their sentra (issue 12): many home producers do not
 * use Telegram. Asked at the start of the request dialogue when it was entered with `{ onBehalf: true }`:
 * a member of the sentra (buttons), or someone without Telegram (name and phone, typed).
 */
import type { Dialogue, DialogueContext } from "../context";
import { ask, checkText, wrongInputText } from "./ask";
import { askChoice, askText } from "./ask-choices";
import { normalizeIndonesianPhone } from "../../domain/phone";
import { sentraMembers } from "../../domain/chairpersons";
import { findMemberById } from "../../domain/members";
import type { OnBehalf } from "../../domain/requests";
import { NAME_MAX } from "../../lib/limits";
import { DIALOGUE } from "../../telegram/callback-data";

/** Members offered as buttons (a sentra has about 40); someone further down is typed as "without Telegram". */
const MEMBER_BUTTONS_MAX = 60;

export interface OnBehalfChoice {
  onBehalf: OnBehalf;
  /** The chosen member's registered products (offered at the product question). */
  products?: string;
}

export async function askOnBehalf(conversation: Dialogue, ctx: DialogueContext, chair: { telegramId: number; sentraId: string }): Promise<OnBehalfChoice> {
  const t = ctx.t;
  const members = await conversation.external(async () =>
    (await sentraMembers(chair.sentraId, MEMBER_BUTTONS_MAX + 1)).filter((m) => m.telegramId !== chair.telegramId).slice(0, MEMBER_BUTTONS_MAX),
  );
  const offline = "__offline";
  const picked = await askChoice(conversation, ctx, {
    prompt: t("request.on_behalf.ask_member"),
    choices: [
      ...members.map((m) => ({ value: m.id, label: m.businessName ? `${m.name} — ${m.businessName}` : m.name })),
      { value: offline, label: t("request.on_behalf.offline") },
    ],
    columns: members.length > 8 ? 2 : 1,
  });
  if (picked !== offline) {
    // As the member is now (read once, replayed after): the name and phone the officer will see.
    const m = await conversation.external(async () => {
      const found = await findMemberById(picked);
      // Still in the chairperson's sentra (they may have moved since the list was sent): else nobody's name.
      return found && found.sentraId === chair.sentraId ? { id: found.id, name: found.name ?? "", phone: found.phone ?? null, products: found.products ?? "" } : null;
    });
    if (m?.name) return { onBehalf: { memberId: m.id, name: m.name, phone: m.phone }, products: m.products };
  }
  const name = await askText(conversation, ctx, { prompt: t("request.on_behalf.ask_name"), max: NAME_MAX });
  const phone = await ask<string | null>(conversation, ctx, {
    send: (c) => c.reply(t("request.on_behalf.ask_phone"), { reply_markup: { inline_keyboard: [[{ text: t("request.on_behalf.no_phone"), callback_data: NO_PHONE }]] } }),
    judge: (input, prompt) => {
      if (input.kind === "callback" && input.data === NO_PHONE && prompt && input.messageId === prompt.message_id) return { ok: true, value: null };
      if (input.kind !== "text") return { ok: false, error: wrongInputText(input.ctx, input, "text") };
      const checked = checkText(input.ctx, input.text, 30);
      if (!checked.ok) return checked;
      const normalized = normalizeIndonesianPhone(checked.value);
      return normalized ? { ok: true, value: normalized } : { ok: false, error: input.ctx.t("onboarding.invalid_phone") };
    },
  });
  return { onBehalf: { memberId: null, name, phone } };
}

/** "No phone" is the question's one button (a skip, like an optional step's). */
const NO_PHONE = DIALOGUE.textOrVoiceSkip;
