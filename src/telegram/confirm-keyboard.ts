/** The yes/no buttons under an admin change waiting for confirmation (domain/confirmations.ts). */
import type { InlineKeyboardMarkup } from "grammy/types";
import type { TFunction } from "../i18n";
import { confirmButtonData } from "./callback-data";

export function confirmKeyboard(t: TFunction, confirmationId: string): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [
        { text: t("admin.confirm_yes"), callback_data: confirmButtonData(true, confirmationId) },
        { text: t("admin.confirm_no"), callback_data: confirmButtonData(false, confirmationId) },
      ],
    ],
  };
}
