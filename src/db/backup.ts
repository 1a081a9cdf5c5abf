/**
 * Backup and restore of the whole database (`npm run backup`, `npm run restore`; README.md, "Operations"; docs/ARCHITECTURE.md, "Backups").
 *
 * The file is gzip-compressed NDJSON: a header line, then one line per document, `{"c": <collection>,
 * "d": <document>}` in canonical Extended JSON, so ObjectIds, dates, longs and binary data come back
 * as they were. Both ways stream (a cursor into gzip into the file, and back through readline in
 * batches), so memory stays flat whatever the number of documents.
 */
import fs from "node:fs";
import readline from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import mongoose from "mongoose";

type Db = mongoose.mongo.Db;
type Document = mongoose.mongo.Document;
const { EJSON } = mongoose.mongo.BSON;

export const BACKUP_FORMAT = "aspirasi-ikm-backup";
export const BACKUP_VERSION = 1;
/** Documents written to the server per insertMany on restore. */
const RESTORE_BATCH = 500;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  database: string;
  collections: string[];
}

export interface BackupResult {
  file: string;
  documents: Record<string, number>;
  bytes: number;
}

/** The collections worth keeping: the database's own, without the server's `system.*` ones. */
async function collectionNames(db: Db): Promise<string[]> {
  const list = await db.listCollections({}, { nameOnly: true }).toArray();
  return list
    .map((c) => c.name)
    .filter((n) => !n.startsWith("system."))
    .sort();
}

/** Writes every collection of `db` to `file` (gzip NDJSON, see above). */
export async function backupDatabase(db: Db, file: string, opts: { now?: Date } = {}): Promise<BackupResult> {
  const names = await collectionNames(db);
  const documents: Record<string, number> = {};
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: (opts.now ?? new Date()).toISOString(),
    database: db.databaseName,
    collections: names,
  };
  async function* lines() {
    yield JSON.stringify(header) + "\n";
    for (const name of names) {
      documents[name] = 0;
      // Natural order, no sort: a sort over 100,000 documents would be held by the server.
      const cursor = db.collection(name).find({}, { batchSize: 1000 });
      for await (const doc of cursor) {
        documents[name]++;
        yield `{"c":${JSON.stringify(name)},"d":${EJSON.stringify(doc, { relaxed: false })}}\n`;
      }
    }
  }
  // Written beside the target first: a backup cut half-way never replaces a good one.
  const partial = `${file}.partial`;
  await pipeline(Readable.from(lines()), zlib.createGzip(), fs.createWriteStream(partial));
  fs.renameSync(partial, file);
  return { file, documents, bytes: fs.statSync(file).size };
}

export class RestoreRefused extends Error {}

export interface RestoreResult {
  header: BackupHeader;
  documents: Record<string, number>;
}

/**
 * Loads a backup into `db`. Refuses a database that holds any document unless `replace` is set;
 * then the collections the backup holds are emptied first (others are left as they are).
 */
export async function restoreDatabase(db: Db, file: string, opts: { replace?: boolean } = {}): Promise<RestoreResult> {
  const input = readline.createInterface({ input: fs.createReadStream(file).pipe(zlib.createGunzip()), crlfDelay: Infinity });
  let header: BackupHeader | undefined;
  const documents: Record<string, number> = {};
  let batch: Document[] = [];
  let batchOf = "";
  const flush = async () => {
    if (batch.length === 0) return;
    await db.collection(batchOf).insertMany(batch, { ordered: true });
    documents[batchOf] = (documents[batchOf] ?? 0) + batch.length;
    batch = [];
  };
  let lineNo = 0;
  for await (const line of input) {
    lineNo++;
    if (!line) continue;
    if (!header) {
      header = parseHeader(line);
      await prepareTarget(db, header, opts.replace === true);
      continue;
    }
    let entry: { c: string; d: Document };
    try {
      entry = EJSON.parse(line, { relaxed: false }) as { c: string; d: Document };
    } catch {
      throw new Error(`line ${lineNo} of the backup is not valid Extended JSON`);
    }
    if (typeof entry.c !== "string" || !header.collections.includes(entry.c) || typeof entry.d !== "object") {
      throw new Error(`line ${lineNo} of the backup names no collection of its header`);
    }
    if (entry.c !== batchOf || batch.length >= RESTORE_BATCH) {
      await flush();
      batchOf = entry.c;
    }
    batch.push(entry.d);
  }
  await flush();
  if (!header) throw new Error("the backup file is empty");
  return { header, documents };
}

function parseHeader(line: string): BackupHeader {
  let h: Partial<BackupHeader>;
  try {
    h = JSON.parse(line) as Partial<BackupHeader>;
  } catch {
    throw new Error("not a backup of this bot (the first line is not its header)");
  }
  if (h.format !== BACKUP_FORMAT || !Array.isArray(h.collections)) throw new Error("not a backup of this bot (the first line is not its header)");
  if (typeof h.version !== "number" || h.version > BACKUP_VERSION)
    throw new Error(`backup format version ${String(h.version)} is newer than this release reads (${BACKUP_VERSION})`);
  return h as BackupHeader;
}

async function prepareTarget(db: Db, header: BackupHeader, replace: boolean): Promise<void> {
  const existing = await collectionNames(db);
  const holding: string[] = [];
  for (const name of existing) {
    if ((await db.collection(name).estimatedDocumentCount()) > 0) holding.push(name);
  }
  if (holding.length > 0 && !replace) {
    throw new RestoreRefused(
      `database "${db.databaseName}" is not empty (${holding.join(", ")}): restore into an empty database, or pass --replace to empty the backup's collections first`,
    );
  }
  for (const name of header.collections) {
    if (existing.includes(name)) await db.collection(name).deleteMany({});
  }
}
