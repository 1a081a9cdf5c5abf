import { tFor } from "../i18n";
import type { Locale } from "../config";

/** Texts for pictures and workbooks: the same locale keys, values filled in without HTML escaping. */
export type PlainT = (key: string, vars?: Record<string, string | number>) => string;

export function plainT(locale: Locale): PlainT {
  const t = tFor(locale);
  return (key, vars) => String(t(key, { ...vars, interpolation: { escapeValue: false } }));
}
