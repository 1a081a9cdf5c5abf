import fs from "node:fs";
import path from "node:path";
import i18next, { type TFunction, type i18n as I18n } from "i18next";
import { LOCALES, type Locale } from "./config";

export type { TFunction };

/** locales/<lang>/<area>.json; each file's keys live under "<area>." (e.g. onboarding.ask_name). */
export const LOCALES_DIR = path.resolve(__dirname, "..", "locales");

export function loadLocaleResources(dir = LOCALES_DIR): Record<string, Record<string, unknown>> {
  const resources: Record<string, Record<string, unknown>> = {};
  for (const lng of LOCALES) {
    const folder = path.join(dir, lng);
    const translation: Record<string, unknown> = {};
    for (const file of fs
      .readdirSync(folder)
      .filter((f) => f.endsWith(".json"))
      .sort()) {
      translation[path.basename(file, ".json")] = JSON.parse(fs.readFileSync(path.join(folder, file), "utf8"));
    }
    resources[lng] = translation;
  }
  return resources;
}

let shared: I18n | undefined;

/**
 * How a request of `type` is named in texts: its type label, and the one noun for it (the noun of
 * a production problem is a laporan, the other types a permohonan), lower case and capitalised.
 */
export function typeWords(t: TFunction, type: string): { type: string; noun: string; Noun: string } {
  return { type: t(`labels.type.${type}`), noun: t(`labels.noun.${type}`), Noun: t(`labels.noun_cap.${type}`) };
}

/** Telegram's HTML parse mode needs only these three escaped. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** One i18next instance for the process (resources are read once, synchronously). */
export function getI18n(defaultLocale: Locale = "id"): I18n {
  if (shared) return shared;
  const instance = i18next.createInstance();
  const resources = loadLocaleResources();
  void instance.init({
    resources: Object.fromEntries(Object.entries(resources).map(([lng, t]) => [lng, { translation: t }])),
    lng: defaultLocale,
    fallbackLng: defaultLocale,
    supportedLngs: [...LOCALES],
    initAsync: false,
    returnNull: false,
    // Values are escaped for Telegram's HTML parse mode; the texts themselves are written in HTML.
    interpolation: { escapeValue: true, escape: escapeHtml },
  });
  shared = instance;
  return instance;
}

const fixed = new Map<Locale, TFunction>();
/** Texts with values filled in, kept per language (the least recently used goes first). */
const FILLED_MAX = 2_000;
/** Longer lookups (keys with long values, like a summary) are not kept. */
const FILLED_KEY_MAX = 300;

/** A memo key for `options` when it holds only short plain values (else undefined: not kept). */
function memoKey(key: string, options: unknown): string | undefined {
  if (typeof options !== "object" || options === null) return undefined;
  let out = key;
  for (const [k, v] of Object.entries(options)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") return undefined;
    out += `\u0000${k}\u0001${String(v)}`;
    if (out.length > FILLED_KEY_MAX) return undefined;
  }
  return out;
}

/**
 * The translate function of one language. Texts are looked up once and then answered from memory
 * (with the values filled in, when those are short plain values): a dialogue step replays every
 * earlier step's texts, so the same lookups come again and again, and i18next resolves each call
 * from scratch.
 */
export function tFor(locale: Locale): TFunction {
  let t = fixed.get(locale);
  if (!t) {
    const inner = getI18n().getFixedT(locale) as unknown as (...args: unknown[]) => unknown;
    const plain = new Map<string, string>();
    const filled = new Map<string, unknown>();
    const call = (key: string | string[], ...rest: unknown[]): unknown => {
      if (typeof key !== "string" || rest.length > 1) return inner(key, ...rest);
      if (rest.length === 0) {
        let text = plain.get(key);
        if (text === undefined) plain.set(key, (text = inner(key) as string));
        return text;
      }
      const memo = memoKey(key, rest[0]);
      if (memo === undefined) return inner(key, ...rest);
      let text = filled.get(memo);
      if (text === undefined) {
        text = inner(key, ...rest);
        if (filled.size >= FILLED_MAX) filled.delete(filled.keys().next().value as string);
      } else filled.delete(memo);
      filled.set(memo, text);
      return text;
    };
    t = Object.assign(call, inner) as unknown as TFunction;
    fixed.set(locale, t);
  }
  return t;
}

/** Picks the language: the member's stored choice, else Telegram's language_code, else the default. */
export function pickLocale(stored: string | undefined, languageCode: string | undefined, fallback: Locale): Locale {
  if (stored && (LOCALES as readonly string[]).includes(stored)) return stored as Locale;
  const code = languageCode?.slice(0, 2).toLowerCase();
  if (code === "id" || code === "en") return code;
  return fallback;
}
