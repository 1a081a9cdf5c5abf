import type { TFunction } from "../../i18n";
import { LOCALES } from "../../config";
import { tFor } from "../../i18n";
import { REQUEST_TYPES, type RequestType } from "../../vocabulary/request-types";
import { REQUEST_DEFINITIONS } from "../../domain/request-definitions";

/** Starting a request of one type (the dialogue of conversations/request.ts). */
export type RequestAction = `request:${RequestType}`;
export const requestAction = (type: RequestType): RequestAction => `request:${type}`;
export const requestTypeOf = (action: RequestAction): RequestType => action.slice("request:".length) as RequestType;

/**
 * Everything the main menu and the commands can start. The leave-dialogue prompt carries one of
 * these ids in its callback data, so only ids from this list are ever acted on.
 */
export const ACTIONS = ["start", "status", "profile", "help", "language", "privacy", ...REQUEST_TYPES.map(requestAction)] as const;
export type Action = (typeof ACTIONS)[number];

export function isAction(v: string): v is Action {
  return (ACTIONS as readonly string[]).includes(v);
}

/** The request buttons come first and big: the most frequent one alone, the others two by two. */
function requestMenuRows(): { key: string; action: Action }[][] {
  const buttons = REQUEST_TYPES.map((type) => ({ key: `request.menu.${type}`, action: requestAction(type) }));
  const rows = [buttons.slice(0, 1)];
  for (let i = 1; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  return rows;
}

/** Main-menu rows: locale key of the button label and the action it runs. Only what works is listed. */
export const MENU_ROWS: { key: string; action: Action }[][] = [
  ...requestMenuRows(),
  [
    { key: "menu.status", action: "status" },
    { key: "menu.profile", action: "profile" },
  ],
  [
    { key: "menu.help", action: "help" },
    { key: "menu.language", action: "language" },
  ],
];

/** Commands that start an action (in private chats). */
export const COMMAND_ACTIONS: Record<string, Action> = {
  start: "start",
  status: "status",
  profil: "profile",
  bahasa: "language",
  hapusdata: "privacy",
  // /lapor, /kemasan, /pemasaran, /modal, /pelatihan
  ...Object.fromEntries(REQUEST_TYPES.map((type) => [REQUEST_DEFINITIONS[type].command, requestAction(type)])),
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
