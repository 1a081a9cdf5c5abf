import { Types } from "mongoose";
import { Sentra, sentraWrites } from "../db/models/sentra";
import { cachedLoader } from "../lib/read-cache";
import { isKecamatan, type Kecamatan } from "./kecamatan";
import { findMemberCached } from "./members";
import { isDuplicateKeyError } from "../db/errors";
import type { SentraDoc } from "../db/models/sentra";

export interface SentraView {
  id: string;
  slug: string;
  name: string;
  kecamatan: Kecamatan;
  chairpersonTelegramId: number | null;
}

function toView(doc: SentraDoc): SentraView {
  return {
    id: String(doc._id),
    slug: doc.slug,
    name: doc.name,
    kecamatan: doc.kecamatan,
    chairpersonTelegramId: doc.chairpersonTelegramId ?? null,
  };
}

/**
 * The active sentras (a handful per kecamatan), by name: read on many updates (onboarding, who
 * chairs what), so read once and kept until a sentra changes.
 */
const activeSentras = cachedLoader({ ttlMs: 60_000, version: () => sentraWrites.version }, async () => (await Sentra.find({ active: true }).sort({ name: 1 }).lean()).map(toView));

/** Active sentras, those in `kecamatan` first, then by name. */
export async function listSentras(kecamatan?: Kecamatan): Promise<SentraView[]> {
  const views = (await activeSentras()).map((s) => ({ ...s }));
  if (!kecamatan) return views;
  return [...views.filter((s) => s.kecamatan === kecamatan), ...views.filter((s) => s.kecamatan !== kecamatan)];
}

/**
 * The active sentra `telegramId` chairs, if any: only while they are a registered member of it (a
 * second guard beside registerMember clearing the chair when its holder moves to another sentra).
 */
export async function sentraChairedBy(telegramId: number): Promise<SentraView | null> {
  const sentra = (await activeSentras()).find((s) => s.chairpersonTelegramId === telegramId);
  if (!sentra) return null;
  const member = await findMemberCached(telegramId);
  return member?.registered && member.sentraId === sentra.id ? { ...sentra } : null;
}

export async function findSentra(id: string | null | undefined): Promise<SentraView | null> {
  if (!id || !Types.ObjectId.isValid(id)) return null;
  const active = (await activeSentras()).find((s) => s.id === id);
  if (active) return { ...active };
  // An inactive sentra (old requests still name it).
  const doc = await Sentra.findById(id).lean();
  return doc ? toView(doc) : null;
}

export interface SentraSeed {
  slug: string;
  name: string;
  kecamatan: string;
  desa?: string;
}

/**
 * Adds the sentras of the seed file that are not there yet (by slug). Existing ones are left as they
 * are: admins rename sentras in Telegram (/sentra), and a later seed must not undo that.
 */
export async function seedSentras(entries: SentraSeed[]): Promise<{ inserted: number; existing: number }> {
  let inserted = 0;
  let existing = 0;
  for (const e of entries) {
    if (!/^[a-z0-9-]{2,60}$/.test(e.slug)) throw new Error(`sentra slug "${e.slug}" must be lowercase letters, digits and -`);
    if (!isKecamatan(e.kecamatan)) throw new Error(`sentra "${e.slug}": unknown kecamatan "${e.kecamatan}"`);
    // Looked up first: an upsert would still bump updatedAt of an existing sentra.
    if (await Sentra.exists({ slug: e.slug })) {
      existing++;
      continue;
    }
    try {
      await Sentra.create({ slug: e.slug, name: e.name, kecamatan: e.kecamatan, ...(e.desa ? { desa: e.desa } : {}), active: true, chairpersonTelegramId: null });
      inserted++;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      existing++; // another seed run inserted it a moment ago
    }
  }
  return { inserted, existing };
}

/** A slug from a sentra name ("Sentra IKM Amerta Jaya" -> "sentra-ikm-amerta-jaya"), unique in the collection. */
export async function uniqueSentraSlug(name: string): Promise<string> {
  const base =
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 50) || "sentra";
  for (let i = 1; ; i++) {
    const slug = i === 1 ? base : `${base}-${i}`;
    if (!(await Sentra.exists({ slug }))) return slug;
  }
}

export async function addSentra(name: string, kecamatan: Kecamatan): Promise<SentraView> {
  const doc = await Sentra.create({ slug: await uniqueSentraSlug(name), name, kecamatan, active: true });
  return toView(doc.toObject());
}

export async function renameSentra(id: string, name: string): Promise<SentraView | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  const doc = await Sentra.findByIdAndUpdate(id, { $set: { name } }, { returnDocument: "after", lean: true });
  return doc ? toView(doc) : null;
}

/** An active sentra by its slug (a sentra's deep link names it), or null. */
export async function findSentraBySlug(slug: string): Promise<SentraView | null> {
  return (await listSentras()).find((s) => s.slug === slug) ?? null;
}
