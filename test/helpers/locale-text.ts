/**
 * The locale's wording for tests that check what the bot said: a test about behaviour names the key
 * it expects, so rewording a text in locales/ does not break it.
 */
import { tFor } from "../../src/i18n";
import type { Locale } from "../../src/config";

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A RegExp matching the key's text as sent, whatever its variables hold (`{{name}}` and the like
 * match any text), with or without its HTML tags. For a text with variables whose values the test
 * does not know.
 */
export function localeRe(key: string, locale: Locale = "id"): RegExp {
  // Rendered without values: i18next leaves each {{variable}} in place (nested $t keys are resolved).
  const template = tFor(locale)(key);
  // HTML tags may or may not be there (some tests read the text as shown, without tags).
  const part = (text: string) =>
    text
      .split(/<[^>]*>/)
      .map(escapeRegex)
      .join("(?:<[^>]*>)?");
  return new RegExp(
    template
      .split(/\{\{[^}]*\}\}/)
      .map(part)
      .join("[\\s\\S]*?"),
  );
}

/** Any of the keys' texts (e.g. the "not understood" answer, for a member or a guest). */
export function localeAnyRe(...keys: string[]): RegExp {
  return new RegExp(keys.map((k) => `(?:${localeRe(k).source})`).join("|"));
}
