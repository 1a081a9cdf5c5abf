import type { TFunction } from "../../i18n";
import { LOCALES } from "../../config";
import { tFor } from "../../i18n";

/**
 * Everything the main menu and the commands can start. The leave-dialogue prompt carries one of
 * these ids in its callback data, so only ids from this list are ever acted on.
 */
export const ACTIONS = ["start", "profile", "help", "language"] as const;
export type Action = (typeof ACTIONS)[number];

export function isAction(v: string): v is Action {
  return (ACTIONS as readonly string[]).includes(v);
}

/** Main-menu rows: locale key of the button label and the action it runs. Only what works is listed. */
export const MENU_ROWS: { key: string; action: Action }[][] = [
  [{ key: "menu.profile", action: "profile" }],
  [
    { key: "menu.help", action: "help" },
    { key: "menu.language", action: "language" },
  ],
];

/** Commands that start an action (in private chats). */
export const COMMAND_ACTIONS: Record<string, Action> = {
  start: "start",
  profil: "profile",
  bahasa: "language",
};

export function mainMenuKeyboard(t: TFunction) {
  return {
    keyboard: MENU_ROWS.map((row) => row.map((b) => ({ text: t(b.key) }))),
    resize_keyboard: true,
    is_persistent: true,
    input_field_placeholder: t("menu.placeholder"),
  };
}

let labelIndex: Map<string, Action> | undefined;

/** The action a main-menu button text stands for, in any language (a member may switch languages). */
export function actionForMenuText(text: string): Action | undefined {
  if (!labelIndex) {
    labelIndex = new Map();
    for (const lng of LOCALES) {
      const t = tFor(lng);
      for (const row of MENU_ROWS) for (const b of row) labelIndex.set(t(b.key).toLowerCase(), b.action);
    }
  }
  return labelIndex.get(text.trim().toLowerCase());
}
