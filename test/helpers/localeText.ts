/**
 * Expected wording taken from the locale files (through the bot's own `tFor`), so tests do not
 * copy Indonesian sentences into hand-written regexes.
 */
import { getI18n, tFor } from "../../src/i18n";
import type { Locale } from "../../src/config";

/** The text of `key` with `vars` filled in, as the bot would send it (HTML included). */
export function textOf(key: string, vars?: Record<string, unknown>, locale: Locale = "id"): string {
  const t = tFor(locale) as unknown as (k: string, v?: Record<string, unknown>) => string;
  const text = vars === undefined ? t(key) : t(key, vars);
  if (text === key) throw new Error(`no locale text for ${key} (${locale})`);
  return text;
}

/** The raw template of `key` (with its `{{var}}` placeholders), straight from the locale file. */
export function templateOf(key: string, locale: Locale = "id"): string {
  const raw = getI18n().getResource(locale, "translation", key) as unknown;
  if (typeof raw !== "string") throw new Error(`no locale template for ${key} (${locale})`);
  return raw;
}

export const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Drops HTML tags and decodes the three entities Telegram's HTML mode uses (for plain-text checks). */
export function stripHtml(s: string): string {
  return s
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

export interface TemplateRegexOptions {
  locale?: Locale;
  /** Strip HTML tags from the template (when the test looks at plain text, e.g. a callback answer). */
  plain?: boolean;
  flags?: string;
  /** Anchor the match at the start ("start") or at both ends ("whole"). */
  anchor?: "start" | "whole";
  /** Fixed values for some variables: text (matched literally) or a RegExp (its pattern); the rest match anything. */
  vars?: Record<string, string | number | RegExp>;
}

/**
 * `key`'s template as a RegExp: the literal parts escaped, each `{{var}}` (or `{{- var}}`) replaced
 * by `[\s\S]*?` (or by the escaped value given in `vars`).
 */
export function templateRegex(key: string, opts: TemplateRegexOptions = {}): RegExp {
  let template = templateOf(key, opts.locale ?? "id");
  if (opts.plain) template = stripHtml(template);
  const parts = template.split(/(\{\{-?\s*[\w.]+\s*\}\})/);
  const source = parts
    .map((part, i) => {
      if (i % 2 === 0) return escapeRegex(part);
      const name = /\{\{-?\s*([\w.]+)\s*\}\}/.exec(part)![1]!;
      const value = opts.vars?.[name];
      if (value === undefined) return "[\\s\\S]*?";
      return value instanceof RegExp ? `(?:${value.source})` : escapeRegex(String(value));
    })
    .join("");
  const anchored = opts.anchor === "whole" ? `^${source}$` : opts.anchor === "start" ? `^${source}` : source;
  return new RegExp(anchored, opts.flags);
}

/** The literal text of `key`'s template before its first `{{` (HTML tags stripped when `plain`). */
export function templatePrefix(key: string, opts: { locale?: Locale; plain?: boolean } = {}): string {
  let template = templateOf(key, opts.locale ?? "id");
  if (opts.plain) template = stripHtml(template);
  return template.split("{{")[0]!;
}

/** Parts that must appear in this order (anything between): text matched literally, a RegExp by its pattern. */
export function inOrder(...parts: (string | RegExp)[]): RegExp {
  return new RegExp(parts.map((p) => (p instanceof RegExp ? `(?:${p.source})` : escapeRegex(p))).join("[\\s\\S]*"));
}

/** An officer's mention as the bot writes it in HTML texts (see `mention` in src/telegram/render.ts). */
export function mentionOf(telegramId: number, name: string): string {
  return `<a href="tg://user?id=${telegramId}">${name.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}</a>`;
}

/** Any one of the texts of `keys` (e.g. the four greetings), as a RegExp group. */
export function anyOf(keys: string[], locale: Locale = "id"): RegExp {
  return new RegExp(`(?:${keys.map((k) => escapeRegex(textOf(k, undefined, locale))).join("|")})`);
}

/** The greetings by time of day (the one sent depends on the clock). */
export const GREETING_KEYS = ["greeting.pagi", "greeting.siang", "greeting.sore", "greeting.malam"];
