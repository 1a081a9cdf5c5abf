import { Types } from "mongoose";
import { Sentra } from "../db/models/sentra";
import { isKecamatan, type Kecamatan } from "./kecamatan";

export interface SentraView {
  id: string;
  slug: string;
  name: string;
  kecamatan: Kecamatan;
  chairpersonTelegramId: number | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toView(doc: any): SentraView {
  return {
    id: String(doc._id),
    slug: doc.slug,
    name: doc.name,
    kecamatan: doc.kecamatan,
    chairpersonTelegramId: doc.chairpersonTelegramId ?? null,
  };
}

/** Active sentras, those in `kecamatan` first, then by name. */
export async function listSentras(kecamatan?: Kecamatan): Promise<SentraView[]> {
  const docs = await Sentra.find({ active: true }).sort({ name: 1 }).lean();
  const views = docs.map(toView);
  if (!kecamatan) return views;
  return [...views.filter((s) => s.kecamatan === kecamatan), ...views.filter((s) => s.kecamatan !== kecamatan)];
}

export async function findSentra(id: string | null | undefined): Promise<SentraView | null> {
  if (!id || !Types.ObjectId.isValid(id)) return null;
  const doc = await Sentra.findById(id).lean();
  return doc ? toView(doc) : null;
}

export interface SentraSeed {
  slug: string;
  name: string;
  kecamatan: string;
  desa?: string;
}

/** Upserts sentras by slug; running it twice changes nothing. Returns how many were new. */
export async function seedSentras(entries: SentraSeed[]): Promise<{ inserted: number; updated: number }> {
  let inserted = 0;
  let updated = 0;
  for (const e of entries) {
    if (!/^[a-z0-9-]{2,60}$/.test(e.slug)) throw new Error(`sentra slug "${e.slug}" must be lowercase letters, digits and -`);
    if (!isKecamatan(e.kecamatan)) throw new Error(`sentra "${e.slug}": unknown kecamatan "${e.kecamatan}"`);
    // Unchanged entries are not written: an update would still bump updatedAt and count as "updated".
    const existing = await Sentra.findOne({ slug: e.slug }, { name: 1, kecamatan: 1, desa: 1 }).lean();
    if (existing && existing.name === e.name && existing.kecamatan === e.kecamatan && (!e.desa || existing.desa === e.desa)) continue;
    const res = await Sentra.updateOne(
      { slug: e.slug },
      { $set: { name: e.name, kecamatan: e.kecamatan, ...(e.desa ? { desa: e.desa } : {}) }, $setOnInsert: { active: true, chairpersonTelegramId: null } },
      { upsert: true },
    );
    if (res.upsertedCount) inserted++;
    else if (res.modifiedCount) updated++;
  }
  return { inserted, updated };
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
