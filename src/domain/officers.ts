import { Officer, officerWrites } from "../db/models/officer";
import { cachedLoader } from "../lib/read-cache";
import { withLock } from "./locks";
import { audit } from "./audit";
import { isRequestType, REQUEST_TYPES, type RequestType } from "../vocabulary/request-types";
import { KECAMATAN, type Kecamatan } from "../vocabulary/kecamatan";
import type { OfficerDoc } from "../db/models/officer";

export interface OfficerView {
  telegramId: number;
  name: string;
  username?: string;
  types: RequestType[];
  kecamatan: Kecamatan[];
  active: boolean;
}

function toView(doc: OfficerDoc): OfficerView {
  return {
    telegramId: doc.telegramId,
    name: doc.name,
    username: doc.username ?? undefined,
    types: doc.types ?? [],
    kecamatan: doc.kecamatan ?? [],
    active: Boolean(doc.active),
  };
}

export type StaffRole = "admin" | "officer";

/**
 * Who the sender is for the officer workflow: an admin (ADMIN_IDS), an active officer, or nobody.
 * Always called with the update's sender, never with an id from callback data.
 */
export async function staffRole(telegramId: number, adminIds: readonly number[]): Promise<StaffRole | null> {
  if (adminIds.includes(telegramId)) return "admin";
  if (await isOfficer(telegramId)) return "officer";
  // The list is cached per process: before refusing, the database (an officer added a moment ago on another process).
  return (await Officer.exists({ telegramId, active: true })) ? "officer" : null;
}

/**
 * Every officer (also removed ones, for names on old cards): a few dozen documents, needed on many
 * updates (who is staff, where a new request goes). Read once and kept until an officer changes.
 */
const allOfficers = cachedLoader({ ttlMs: 60_000, version: () => officerWrites.version }, async () =>
  (await Officer.find({}).lean()).map(toView).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.telegramId - b.telegramId)),
);

const copy = (o: OfficerView): OfficerView => ({ ...o, types: [...o.types], kecamatan: [...o.kecamatan] });

export async function isOfficer(telegramId: number): Promise<boolean> {
  return (await allOfficers()).some((o) => o.active && o.telegramId === telegramId);
}

export async function findOfficer(telegramId: number): Promise<OfficerView | null> {
  const officer = (await allOfficers()).find((o) => o.telegramId === telegramId);
  return officer ? copy(officer) : null;
}

/** Active officers, by name. */
export async function listOfficers(): Promise<OfficerView[]> {
  return (await allOfficers()).filter((o) => o.active).map(copy);
}

/** Names of the given officers (also inactive ones, for old cards), by Telegram id. */
export async function officerNames(ids: number[]): Promise<Map<number, string>> {
  const wanted = new Set(ids.filter((id) => Number.isFinite(id)));
  if (wanted.size === 0) return new Map();
  return new Map((await allOfficers()).filter((o) => wanted.has(o.telegramId)).map((o) => [o.telegramId, o.name]));
}

export interface Handles {
  types: RequestType[];
  kecamatan: Kecamatan[];
}

/**
 * Reads what an officer handles from words an admin typed: request types (produksi, kemasan, ...)
 * and kecamatan names, separated by commas (kecamatan names contain spaces). "semua" or nothing
 * means no rule. Unknown words are returned so the admin can be told.
 */
export function parseHandles(text: string): { handles: Handles; unknown: string[] } {
  const handles: Handles = { types: [], kecamatan: [] };
  const unknown: string[] = [];
  for (const raw of text.split(/[,;\n]+/)) {
    const word = raw.trim().replace(/\s+/g, " ");
    if (!word || word.toLowerCase() === "semua" || word.toLowerCase() === "all") continue;
    const lower = word.toLowerCase();
    const type = REQUEST_TYPES.find((t) => t === lower);
    const kec = KECAMATAN.find((k) => k.toLowerCase() === lower);
    if (type && isRequestType(type)) {
      if (!handles.types.includes(type)) handles.types.push(type);
    } else if (kec) {
      if (!handles.kecamatan.includes(kec)) handles.kecamatan.push(kec);
    } else unknown.push(word.slice(0, 40));
  }
  return { handles, unknown };
}

/** Adds an officer, or updates what an existing one handles (and reactivates them). */
export async function upsertOfficer(
  input: { telegramId: number; name: string; username?: string; handles: Handles },
  by: number,
  now: Date,
): Promise<{ officer: OfficerView; created: boolean }> {
  return withLock(`officer:${input.telegramId}`, async () => {
    const existing = await Officer.findOne({ telegramId: input.telegramId }).lean();
    const set = {
      name: input.name.slice(0, 100),
      ...(input.username ? { username: input.username.slice(0, 64) } : {}),
      types: input.handles.types,
      kecamatan: input.handles.kecamatan,
      active: true,
    };
    if (existing) await Officer.updateOne({ telegramId: input.telegramId }, { $set: set });
    else await Officer.create({ telegramId: input.telegramId, addedBy: by, ...set });
    await audit(by, existing ? "officer.update" : "officer.add", { telegramId: input.telegramId, ...input.handles }, now);
    const doc = await Officer.findOne({ telegramId: input.telegramId }).lean();
    if (!doc) throw new Error(`officer ${input.telegramId} not found right after it was written`);
    return { officer: toView(doc), created: !existing };
  });
}

/** Deactivates an officer. False when there was no active officer with that id. */
export async function removeOfficer(telegramId: number, by: number, now: Date): Promise<boolean> {
  return withLock(`officer:${telegramId}`, async () => {
    const existing = await Officer.findOne({ telegramId, active: true }).lean();
    if (!existing) return false;
    await Officer.updateOne({ telegramId }, { $set: { active: false } });
    await audit(by, "officer.remove", { telegramId }, now);
    return true;
  });
}

/** An officer added by id shows as "Petugas 123" until they first use the bot; then their Telegram name. */
export async function refreshOfficerName(telegramId: number, name: string, username: string | undefined): Promise<void> {
  const existing = await findOfficer(telegramId);
  if (!existing || (existing.name === name && (existing.username ?? undefined) === username)) return;
  await withLock(`officer:${telegramId}`, () => Officer.updateOne({ telegramId }, { $set: { name: name.slice(0, 100), ...(username ? { username } : {}) } }).then(() => undefined));
}
