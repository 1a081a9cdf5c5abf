import { Types } from "mongoose";
import { Sentra, sentraWrites } from "../db/models/sentra";
import { cachedLoader } from "../lib/read-cache";
import { isKecamatan, type Kecamatan } from "../vocabulary/kecamatan";
import { findMemberCached } from "./members";
import { isDuplicateKeyError } from "../db/errors";
import type { SentraDoc } from "../db/models/sentra";

export interface SentraView {
  id: string;
  slug: string;
  name: string;
  kecamatan: Kecamatan;
  chairpersonTelegramId: number | null;
  /** Its members' common products (registration offers them as buttons). */
  products: string[];
}

function toView(doc: SentraDoc): SentraView {
  return {
    id: String(doc._id),
    slug: doc.slug,
    name: doc.name,
    kecamatan: doc.kecamatan,
    chairpersonTelegramId: doc.chairpersonTelegramId ?? null,
    products: [...(doc.products ?? [])],
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
  products?: string[];
}

/**
 * Adds the sentras of the seed file that are not there yet (by slug). Existing ones are left as they
 * are: admins rename sentras in Telegram (/sentra), and a later seed must not undo that. The one
 * exception: a sentra with no products yet gets the seed's list.
 */
export async function seedSentras(entries: SentraSeed[]): Promise<{ inserted: number; existing: number }> {
  let inserted = 0;
  let existing = 0;
  for (const e of entries) {
    if (!/^[a-z0-9-]{2,60}$/.test(e.slug)) throw new Error(`sentra slug "${e.slug}" must be lowercase letters, digits and -`);
    if (!isKecamatan(e.kecamatan)) throw new Error(`sentra "${e.slug}": unknown kecamatan "${e.kecamatan}"`);
    // Looked up first: an upsert would still bump updatedAt of an existing sentra.
    const products = sentraProducts(e.products ?? []);
    if (await Sentra.exists({ slug: e.slug })) {
      existing++;
      if (products.length > 0) await Sentra.updateOne({ slug: e.slug, "products.0": { $exists: false } }, { $set: { products } });
      continue;
    }
    try {
      await Sentra.create({ slug: e.slug, name: e.name, kecamatan: e.kecamatan, ...(e.desa ? { desa: e.desa } : {}), products, active: true, chairpersonTelegramId: null });
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

/** Most products a sentra offers as buttons (two columns on a phone). */
export const SENTRA_PRODUCTS_MAX = 12;
/** Longest product name on a button. */
export const SENTRA_PRODUCT_MAX = 40;

/**
 * A sentra's product list as stored: trimmed, one space between words, no empty or duplicate
 * (case-insensitive) entries, each at most SENTRA_PRODUCT_MAX characters, at most SENTRA_PRODUCTS_MAX.
 * Throws on a name that is too long (a seed file or an admin's typo must not be cut silently).
 */
export function sentraProducts(list: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of list) {
    const p = raw.trim().replace(/\s+/g, " ");
    if (!p || seen.has(p.toLowerCase())) continue;
    if (p.length > SENTRA_PRODUCT_MAX) throw new RangeError(`product "${p}" is longer than ${SENTRA_PRODUCT_MAX} characters`);
    seen.add(p.toLowerCase());
    out.push(p);
  }
  if (out.length > SENTRA_PRODUCTS_MAX) throw new RangeError(`at most ${SENTRA_PRODUCTS_MAX} products per sentra (got ${out.length})`);
  return out;
}

/** Replaces a sentra's common products (admin command). */
export async function setSentraProducts(slug: string, products: readonly string[]): Promise<SentraView | null> {
  const doc = await Sentra.findOneAndUpdate({ slug }, { $set: { products: sentraProducts(products) } }, { returnDocument: "after" }).lean();
  return doc ? toView(doc) : null;
}
