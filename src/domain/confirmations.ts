/** Two-step admin changes: stored first, done only when the same admin confirms in time, once. */
import { Types } from "mongoose";
import { Confirmation } from "../db/models/confirmation";
import { withLock } from "./locks";

export const CONFIRM_TTL_MS = 10 * 60_000;

export async function createConfirmation(by: number, action: string, payload: Record<string, unknown>, now: Date): Promise<string> {
  await Confirmation.deleteMany({ expiresAt: { $lte: now } });
  const doc = await Confirmation.create({ by, action, payload: JSON.stringify(payload), expiresAt: new Date(now.getTime() + CONFIRM_TTL_MS) });
  return String(doc._id);
}

export type Taken = { ok: true; action: string; payload: Record<string, unknown> } | { ok: false; reason: "gone" | "not_yours" | "expired" };

/** Takes a pending change for `by` (deleting it, so a second press does nothing). */
export async function takeConfirmation(id: string, by: number, now: Date): Promise<Taken> {
  if (!Types.ObjectId.isValid(id)) return { ok: false, reason: "gone" };
  return withLock(`confirm:${id}`, async () => {
    const doc = await Confirmation.findById(id).lean();
    if (!doc) return { ok: false, reason: "gone" } as const;
    if (doc.by !== by) return { ok: false, reason: "not_yours" } as const;
    await Confirmation.deleteOne({ _id: doc._id });
    if (doc.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired" } as const;
    return { ok: true, action: doc.action, payload: JSON.parse(doc.payload) as Record<string, unknown> } as const;
  });
}
