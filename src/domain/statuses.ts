/**
 * The request lifecycle (PRODUCT.md, "Status lifecycle"):
 *   diterima -> ditelaah -> ditindaklanjuti -> selesai
 *   ditelaah | ditindaklanjuti -> perlu_info -> back to where it came from when the member answers
 *   any open status -> ditolak (always with a reason)
 */
export const STATUSES = ["diterima", "ditelaah", "perlu_info", "ditindaklanjuti", "selesai", "ditolak"] as const;
export type Status = (typeof STATUSES)[number];

export const CLOSED_STATUSES: readonly Status[] = ["selesai", "ditolak"];
export const OPEN_STATUSES: readonly Status[] = STATUSES.filter((s) => !CLOSED_STATUSES.includes(s));

export function isOpen(s: Status): boolean {
  return !CLOSED_STATUSES.includes(s);
}

const NEXT: Record<Status, readonly Status[]> = {
  diterima: ["ditelaah", "ditolak"],
  ditelaah: ["ditindaklanjuti", "perlu_info", "ditolak"],
  perlu_info: ["ditelaah", "ditindaklanjuti", "ditolak"],
  ditindaklanjuti: ["selesai", "perlu_info", "ditolak"],
  selesai: [],
  ditolak: [],
};

/** Statuses that need a note from the officer: the question, what was done, the reason. */
export const NOTE_REQUIRED: readonly Status[] = ["perlu_info", "selesai", "ditolak"];

export type TransitionCheck = { ok: true } | { ok: false; reason: "closed" | "same" | "not_allowed" | "note_required" | "not_from_perlu_info" };

/**
 * Whether `from` may move to `to`. Leaving perlu_info goes only back to the status it came from
 * (`returnTo`) or to ditolak.
 */
export function checkTransition(from: Status, to: Status, opts: { note?: string; returnTo?: Status | null } = {}): TransitionCheck {
  if (!isOpen(from)) return { ok: false, reason: "closed" };
  if (from === to) return { ok: false, reason: "same" };
  if (!NEXT[from].includes(to)) return { ok: false, reason: "not_allowed" };
  if (from === "perlu_info" && to !== "ditolak" && opts.returnTo && to !== opts.returnTo) return { ok: false, reason: "not_from_perlu_info" };
  if (NOTE_REQUIRED.includes(to) && !opts.note?.trim()) return { ok: false, reason: "note_required" };
  return { ok: true };
}

export function allowedNext(from: Status): readonly Status[] {
  return NEXT[from];
}
