/**
 * Changes to the shape of stored documents, applied once per database at start-up (main.ts, before
 * the bot takes updates; `npm run migrate` runs them alone). docs/ARCHITECTURE.md, "Schema changes".
 *
 * Each migration has a fixed id and an idempotent `up`: running it twice, or in two processes that
 * start at once, changes nothing the second time. That is why no lock is taken: a process that
 * finds a migration not yet recorded runs it, and records it in `migrations` ({ _id: id, appliedAt,
 * changed }) afterwards; a crash in between only means it runs again at the next start. The list
 * only grows: a released migration is never edited or removed, a new release appends its own.
 */
import mongoose from "mongoose";
import type { Logger } from "../logger";

type Db = mongoose.mongo.Db;

export interface Migration {
  /** Fixed for ever once released: `<yyyy-mm-dd>-<what>`. */
  id: string;
  description: string;
  /** Idempotent; returns how many documents it changed. */
  up(db: Db): Promise<number>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: "2026-12-07-member-phone-verified",
    description:
      "members.phoneVerifiedAt (added with the phone check for WhatsApp linking) on members saved before it: " +
      "a member registered on WhatsApp has the number Meta verified, from when it was linked; everyone else null",
    async up(db) {
      const members = db.collection("members");
      // Per document, not one pipeline update: FerretDB (CI, and some hosted servers) has no
      // update pipelines. The filter keeps it idempotent: a document once set is not matched again.
      const cursor = members.find({ phoneVerifiedAt: { $exists: false } }, { projection: { phone: 1, whatsapp: 1, createdAt: 1 } });
      let ops: mongoose.mongo.AnyBulkWriteOperation[] = [];
      let changed = 0;
      const flush = async () => {
        if (ops.length > 0) changed += (await members.bulkWrite(ops, { ordered: false })).modifiedCount;
        ops = [];
      };
      for await (const m of cursor) {
        const wa = m.whatsapp as { waId?: string; linkedAt?: Date } | undefined;
        const verified = wa?.waId && m.phone === `+${wa.waId}` ? (wa.linkedAt ?? (m.createdAt as Date | undefined) ?? null) : null;
        ops.push({ updateOne: { filter: { _id: m._id, phoneVerifiedAt: { $exists: false } }, update: { $set: { phoneVerifiedAt: verified } } } });
        if (ops.length >= 500) await flush();
      }
      await flush();
      return changed;
    },
  },
];

export interface MigrationReport {
  applied: { id: string; changed: number; ms: number }[];
}

/** Runs the migrations `db` has not recorded, in order. */
export async function runMigrations(db: Db, opts: { logger: Logger; list?: readonly Migration[]; now?: () => Date }): Promise<MigrationReport> {
  const list = opts.list ?? MIGRATIONS;
  const now = opts.now ?? (() => new Date());
  const record = db.collection<{ _id: string; appliedAt: Date; changed: number }>("migrations");
  const done = new Set((await record.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
  const applied: MigrationReport["applied"] = [];
  for (const m of list) {
    if (done.has(m.id)) continue;
    const started = Date.now();
    const changed = await m.up(db);
    // Upsert: another process that ran it at the same time has recorded it too.
    await record.updateOne({ _id: m.id }, { $setOnInsert: { appliedAt: now(), changed } }, { upsert: true });
    const ms = Date.now() - started;
    applied.push({ id: m.id, changed, ms });
    opts.logger.info({ migration: m.id, changed, ms }, "migration applied");
  }
  return { applied };
}
