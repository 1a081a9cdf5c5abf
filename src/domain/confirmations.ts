/**
 * Two-step admin changes: stored first, done only when the same admin confirms in time, once.
 * Every kind of change is registered here with the shape of its payload: a stored change is read
 * back through its kind's parser, so an unknown kind or a payload of the wrong shape is refused
 * rather than carried out.
 */
import { Types } from "mongoose";
import { Confirmation } from "../db/models/confirmation";
import { withLock } from "./locks";
import { isRequestType } from "../vocabulary/request-types";
import { isKecamatan } from "../vocabulary/kecamatan";
import type { Handles } from "./officers";
import type { RelayContent } from "./workflow";

export const CONFIRM_TTL_MS = 10 * 60_000;

export type OfficerChange = { op: "remove"; telegramId: number; name: string } | { op: "add"; telegramId: number; name: string; username?: string; handles: Handles };
export type HolidayChange = { op: "add" | "remove"; date: string; name: string };

/** A member's free message waiting for them to pick the request it belongs to (features/free-messages.ts). */
export interface FreeMessageChoice {
  content: RelayContent;
  chatId: number;
  messageId: number;
  requests: { id: string; code: string }[];
}

/** The payload of each kind of change. */
export interface ConfirmationPayloads {
  office_contact: { contact: string | null };
  officer: OfficerChange;
  holiday: HolidayChange;
  free_message: FreeMessageChoice;
}
export type ConfirmationAction = keyof ConfirmationPayloads;
/** A change taken back, its payload typed by its kind. */
export type PendingChange = { [A in ConfirmationAction]: { action: A; payload: ConfirmationPayloads[A] } }[ConfirmationAction];

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const isName = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const isId = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;

const PARSERS: { [A in ConfirmationAction]: (raw: Raw) => ConfirmationPayloads[A] | null } = {
  office_contact: (raw) => (raw.contact === null || isName(raw.contact) ? { contact: raw.contact } : null),
  officer: (raw) => {
    if (!isId(raw.telegramId) || !isName(raw.name)) return null;
    if (raw.op === "remove") return { op: "remove", telegramId: raw.telegramId, name: raw.name };
    const h = raw.handles;
    if (raw.op !== "add" || !isObject(h) || !Array.isArray(h.types) || !Array.isArray(h.kecamatan)) return null;
    if (!h.types.every(isRequestType) || !h.kecamatan.every(isKecamatan)) return null;
    if (raw.username !== undefined && typeof raw.username !== "string") return null;
    return { op: "add", telegramId: raw.telegramId, name: raw.name, username: raw.username, handles: { types: h.types, kecamatan: h.kecamatan } };
  },
  holiday: (raw) =>
    (raw.op === "add" || raw.op === "remove") && typeof raw.date === "string" && /^\d{4}-\d{2}-\d{2}$/.test(raw.date) && isName(raw.name)
      ? { op: raw.op, date: raw.date, name: raw.name }
      : null,
  free_message: parseFreeMessage,
};

const isFile = (v: unknown): boolean => isObject(v) && typeof v.fileId === "string" && typeof v.fileUniqueId === "string";
function parseFreeMessage(raw: Raw): FreeMessageChoice | null {
  const c = raw.content;
  if (!isObject(c) || (c.text !== undefined && typeof c.text !== "string") || (c.photo !== undefined && !isFile(c.photo)) || (c.voice !== undefined && !isFile(c.voice)))
    return null;
  if (typeof raw.chatId !== "number" || !isId(raw.messageId) || !Array.isArray(raw.requests)) return null;
  if (!raw.requests.every((r) => isObject(r) && typeof r.id === "string" && typeof r.code === "string")) return null;
  return { content: c as RelayContent, chatId: raw.chatId, messageId: raw.messageId, requests: raw.requests as FreeMessageChoice["requests"] };
}

const isAction = (v: string): v is ConfirmationAction => Object.prototype.hasOwnProperty.call(PARSERS, v);

/** A stored action and payload as a typed change, or null for an unknown kind or a payload of the wrong shape. */
export function parseChange(action: string, payload: unknown): PendingChange | null {
  if (!isAction(action) || !isObject(payload)) return null;
  const parsed = PARSERS[action](payload);
  return parsed === null ? null : ({ action, payload: parsed } as PendingChange);
}

export async function createConfirmation<A extends ConfirmationAction>(by: number, action: A, payload: ConfirmationPayloads[A], now: Date): Promise<string> {
  await Confirmation.deleteMany({ expiresAt: { $lte: now } });
  const doc = await Confirmation.create({ by, action, payload: JSON.stringify(payload), expiresAt: new Date(now.getTime() + CONFIRM_TTL_MS) });
  return String(doc._id);
}

export type Taken = { ok: true; change: PendingChange } | { ok: false; reason: "gone" | "not_yours" | "expired" | "invalid" };

/** Takes a pending change for `by` (deleting it, so a second press does nothing). */
export async function takeConfirmation(id: string, by: number, now: Date): Promise<Taken> {
  if (!Types.ObjectId.isValid(id)) return { ok: false, reason: "gone" };
  return withLock(`confirm:${id}`, async () => {
    const doc = await Confirmation.findById(id).lean();
    if (!doc) return { ok: false, reason: "gone" } as const;
    if (doc.by !== by) return { ok: false, reason: "not_yours" } as const;
    await Confirmation.deleteOne({ _id: doc._id });
    if (doc.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired" } as const;
    let payload: unknown;
    try {
      payload = JSON.parse(doc.payload);
    } catch {
      return { ok: false, reason: "invalid" } as const;
    }
    const change = parseChange(doc.action, payload);
    return change ? ({ ok: true, change } as const) : ({ ok: false, reason: "invalid" } as const);
  });
}
