/**
 * What a registered WhatsApp member can do besides requests, from the menu or by a word: the
 * office's contact, the language, and erasing their data (confirmed by a button that expires, as
 * /hapusdata on Telegram). The buttons carry Telegram's data (telegram/callback-data.ts) and are
 * read with its patterns; whose data is erased is the sender's, never the button's.
 */
import { tFor, type TFunction } from "../i18n";
import type { Locale } from "../config";
import type { MemberView } from "../domain/members";
import type { MachineOutput } from "../domain/request-machine";
import { setMemberLocale } from "../domain/members";
import { getOfficeContact } from "../domain/settings";
import { eraseMemberData, erasureConfirmValid } from "../domain/privacy";
import { ERASURE_NO, ERASURE_YES, LANGUAGE, erasureYesData, languageData } from "../telegram/callback-data";

export const ACCOUNT_MENU = { contact: "menu:contact", language: "menu:language", erase: "menu:erase" } as const;

export const ACCOUNT_WORDS = { contact: /^\/?(kontak|contact)$/i, language: /^\/?(bahasa|language)$/i, erase: /^\/?(hapus ?data|delete my data)$/i };

export function accountChoices(t: TFunction): { id: string; label: string }[] {
  return [
    { id: ACCOUNT_MENU.contact, label: t("whatsapp.menu_contact") },
    { id: ACCOUNT_MENU.language, label: t("whatsapp.menu_language") },
    { id: ACCOUNT_MENU.erase, label: t("whatsapp.menu_erase") },
  ];
}

export interface AccountResult {
  out: MachineOutput[];
  /** The member's data is gone: the session goes too. */
  erased?: boolean;
  /** The language the replies are in from now. */
  locale?: Locale;
}

/** A menu pick, a word or a button of these; null when it is none of them. */
export async function account(id: string | undefined, typed: string, member: MemberView, t: TFunction, now: Date): Promise<AccountResult | null> {
  const pick =
    id ??
    (ACCOUNT_WORDS.contact.test(typed)
      ? ACCOUNT_MENU.contact
      : ACCOUNT_WORDS.language.test(typed)
        ? ACCOUNT_MENU.language
        : ACCOUNT_WORDS.erase.test(typed)
          ? ACCOUNT_MENU.erase
          : undefined);
  if (!pick) return null;
  if (pick === ACCOUNT_MENU.contact) {
    const contact = await getOfficeContact();
    return { out: [{ text: contact ? t("admin.contact_current", { contact }) : t("admin.contact_none") }] };
  }
  if (pick === ACCOUNT_MENU.language) {
    return { out: [{ text: t("language.choose"), choices: (["id", "en"] as const).map((l) => ({ id: languageData(l), label: t(`language.name_${l}`) })) }] };
  }
  const lang = LANGUAGE.exec(pick);
  if (lang) {
    const locale = lang[1] as Locale;
    await setMemberLocale(member.telegramId, locale);
    return { out: [{ text: tFor(locale)("language.changed") }], locale };
  }
  if (pick === ACCOUNT_MENU.erase) {
    const issued = Math.floor(now.getTime() / 1000);
    return {
      out: [
        {
          text: t("whatsapp.erase_confirm"),
          choices: [
            { id: erasureYesData(issued), label: t("privacy.confirm_yes") },
            { id: ERASURE_NO, label: t("privacy.confirm_no") },
          ],
        },
      ],
    };
  }
  if (pick === ERASURE_NO) return { out: [{ text: t("privacy.kept") }] };
  const yes = ERASURE_YES.exec(pick);
  if (yes) {
    const issued = Number(yes[1]) * 1000;
    if (!erasureConfirmValid(issued, now)) return { out: [{ text: t("whatsapp.erase_expired") }] };
    await eraseMemberData(member.telegramId, now);
    return { out: [{ text: `${t("privacy.done_title")}\n\n${t("whatsapp.erase_done")}` }], erased: true };
  }
  return null;
}
