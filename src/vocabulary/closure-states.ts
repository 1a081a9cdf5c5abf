/**
 * The member's side of a finished request (docs/PRODUCT.md, "After Selesai": selesai is confirmed,
 * rated or reopened by the member). Plain constants, imported by the request model too, so this
 * module imports nothing.
 *
 *   selesai (officer)  -> confirmation "waiting"
 *   waiting --Sudah--> "confirmed" --stars--> rating --comment (optional)--> done
 *   waiting --Belum + reason--> "reopened" (status back to REOPEN_STATUS, reopenCount + 1)
 *   waiting --10 working days without an answer--> "closed_silently" (accepted)
 */
export const CONFIRMATION_STATES = ["waiting", "confirmed", "reopened", "closed_silently"] as const;
export type ConfirmationState = (typeof CONFIRMATION_STATES)[number];

/** Timeline entries the closure adds (the member's answers, and the closure by silence). */
export const CLOSURE_ENTRY_KINDS = ["confirmed", "reopened", "rating", "rating_comment", "accepted"] as const;
export type ClosureEntryKind = (typeof CLOSURE_ENTRY_KINDS)[number];

export const STARS_MAX = 5;

/**
 * A finished request without the member's answer is accepted after this many working days
 * (SP4N-LAPOR! practice): the daily job calls closeUnconfirmed(now, subtractWorkingDays(now, this)).
 * The texts that name the period (closure.card.closed_silently, status.tl_accepted) take it as {{days}}.
 */
export const SILENT_CLOSURE_WORKING_DAYS = 10;

/** A reopened request goes back to the officer who handled it, as being worked on. */
export const REOPEN_STATUS = "ditindaklanjuti" as const;

export function isClosureEntryKind(kind: string): kind is ClosureEntryKind {
  return (CLOSURE_ENTRY_KINDS as readonly string[]).includes(kind);
}

export interface Rating {
  stars: number;
  comment?: string;
  at: Date;
}
