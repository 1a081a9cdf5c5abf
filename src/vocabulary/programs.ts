/**
 * Programs: what the office offers many members at once (a training, aid, mentoring), and the
 * business licences a program may require (asked once on the member's profile).
 */
export const PROGRAM_KINDS = ["pelatihan", "bantuan_kemasan", "bantuan_alat", "pendampingan_pemasaran", "pameran", "fasilitasi_izin", "lainnya"] as const;
export type ProgramKind = (typeof PROGRAM_KINDS)[number];

export const LICENCES = ["nib", "spp_pirt", "halal"] as const;
export type Licence = (typeof LICENCES)[number];

/** A program's life: open for registration (until its deadline), then done, or cancelled. */
export const PROGRAM_STATUSES = ["open", "done", "cancelled"] as const;
export type ProgramStatus = (typeof PROGRAM_STATUSES)[number];

export function isProgramKind(v: unknown): v is ProgramKind {
  return typeof v === "string" && (PROGRAM_KINDS as readonly string[]).includes(v);
}
export function isLicence(v: unknown): v is Licence {
  return typeof v === "string" && (LICENCES as readonly string[]).includes(v);
}

/** What a member is told about a program (domain/program-notices.ts). */
export type ProgramEvent = "announce" | "seat" | "changed" | "cancelled" | "reminder_before" | "reminder_today" | "registered_by_chair";
