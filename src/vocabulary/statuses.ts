/**
 * The statuses a request goes through (docs/PRODUCT.md, "Statuses"). Which status may follow which is
 * a rule, kept in domain/statuses.ts; this is the list the request model stores and everyone names.
 */
export const STATUSES = ["diterima", "ditelaah", "perlu_info", "ditindaklanjuti", "selesai", "ditolak"] as const;
export type Status = (typeof STATUSES)[number];

export const CLOSED_STATUSES: readonly Status[] = ["selesai", "ditolak"];
export const OPEN_STATUSES: readonly Status[] = STATUSES.filter((s) => !CLOSED_STATUSES.includes(s));

export function isOpen(s: Status): boolean {
  return !CLOSED_STATUSES.includes(s);
}
