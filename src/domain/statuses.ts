/**
 * Which status may follow which (docs/PRODUCT.md, "Statuses"):
 *   diterima -> ditelaah -> ditindaklanjuti -> selesai
 *   a claimed request may skip ahead: ask (perlu_info), follow up or finish straight from diterima or
 *   ditelaah, with no status pressed only to unlock the next (the card offers claim and review first)
 *   open statuses -> perlu_info -> back to where it came from when the member answers (to ditelaah
 *   when asked straight from diterima: someone is working on it now)
 *   any open status -> ditolak (always with a reason)
 */
import { isOpen, type Status } from "../vocabulary/statuses";

const NEXT: Record<Status, readonly Status[]> = {
  diterima: ["ditelaah", "perlu_info", "ditindaklanjuti", "selesai", "ditolak"],
  ditelaah: ["ditindaklanjuti", "perlu_info", "selesai", "ditolak"],
  perlu_info: ["ditelaah", "ditindaklanjuti", "ditolak"],
  ditindaklanjuti: ["selesai", "perlu_info", "ditolak"],
  selesai: [],
  ditolak: [],
};

/** Statuses that need a note from the officer: the question, what was done, the reason. */
export const NOTE_REQUIRED: readonly Status[] = ["perlu_info", "selesai", "ditolak"];

/** What an unclaimed request may do besides being taken: be reviewed (which takes it) or declined. */
const UNCLAIMED_NEXT: readonly Status[] = ["ditelaah", "ditolak"];

export type TransitionCheck = { ok: true } | { ok: false; reason: "closed" | "same" | "not_allowed" | "note_required" | "not_from_perlu_info" };

/**
 * Whether `from` may move to `to`. Leaving perlu_info goes only back to the status it came from
 * (`returnTo`) or to ditolak. `claimed: false` (nobody has taken the request yet) allows only review
 * or decline from diterima.
 */
export function checkTransition(from: Status, to: Status, opts: { note?: string; returnTo?: Status | null; claimed?: boolean } = {}): TransitionCheck {
  if (!isOpen(from)) return { ok: false, reason: "closed" };
  if (from === to) return { ok: false, reason: "same" };
  if (!allowedNext(from, opts.claimed ?? true).includes(to)) return { ok: false, reason: "not_allowed" };
  if (from === "perlu_info" && to !== "ditolak" && opts.returnTo && to !== opts.returnTo) return { ok: false, reason: "not_from_perlu_info" };
  if (NOTE_REQUIRED.includes(to) && !opts.note?.trim()) return { ok: false, reason: "note_required" };
  return { ok: true };
}

/** Where a request asked for information returns when the member answers. */
export function infoReturnFor(from: Status): Status {
  return from === "diterima" ? "ditelaah" : from;
}

export function allowedNext(from: Status, claimed = true): readonly Status[] {
  return from === "diterima" && !claimed ? UNCLAIMED_NEXT : NEXT[from];
}
