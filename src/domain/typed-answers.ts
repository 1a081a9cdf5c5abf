/**
 * How a typed answer is read on every channel: checked as an answer (checkTyped; Telegram's dialogue
 * and the request machine alike) and read as a choice where a button is (typedChoice).
 */
import type { Translate } from "./request-definitions";

/** A typed answer, checked as on Telegram: not a command, not blank, letters or digits, within `max`. */
export function checkTyped(t: Translate, text: string, max: number, singleLine = false): { ok: true; value: string } | { ok: false; error: string } {
  if (text.startsWith("/")) return { ok: false, error: t("dialog.command_mid_dialogue") };
  // Invisible format characters (zero-width space, direction marks, BOM …) are dropped: a name made
  // of them would show blank on a card. The zero-width joiner stays: it holds emoji sequences together.
  const value = text
    .replace(/(?!\u200d)\p{Cf}/gu, "")
    .trim()
    .replace(singleLine ? /\s+/g : /[ \t]+/g, " ");
  if (value.replace(/\u200d/g, "").trim().length === 0) return { ok: false, error: t("dialog.empty_text") };
  if (!/[\p{L}\p{N}]/u.test(value)) return { ok: false, error: t("dialog.no_letters") };
  if (value.length > max) return { ok: false, error: t("dialog.too_long", { max, count: value.length }) };
  return { ok: true, value };
}

/**
 * The choice a typed answer names, as a member may type instead of tapping: its number ("2", "2."),
 * its label in any case and spacing ("izin  usaha"), or the start of one label (3 letters at least);
 * undefined when it names none, or several.
 */
export function typedChoice(choices: readonly { id: string; label: string }[], typed: string): string | undefined {
  const plain = (x: string) =>
    x
      .toLowerCase()
      .replace(/[^\p{L}\p{N} ]/gu, "")
      .replace(/\s+/g, " ")
      .trim();
  const n = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(typed);
  if (n) return choices[Number(n[1]) - 1]?.id;
  const p = plain(typed);
  if (!p) return undefined;
  const exact = choices.filter((c) => plain(c.label) === p);
  if (exact.length) return exact.length === 1 ? exact[0].id : undefined;
  const starts = p.length >= 3 ? choices.filter((c) => plain(c.label).startsWith(p)) : [];
  return starts.length === 1 ? starts[0].id : undefined;
}
