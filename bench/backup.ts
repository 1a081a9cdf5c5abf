/**
 * `npm run bench:backup` (MONGODB_URI required): how long `npm run backup` and `npm run restore`
 * (src/db/backup.ts) take for BENCH_BACKUP_REQUESTS (10,000) requests of BENCH_BACKUP_REQUESTS / 10
 * members, the file's size, and the process's peak resident memory during each (sampled every
 * 20 ms): streamed both ways, it should not grow with the number of requests. Two scratch
 * databases are made on the server and dropped afterwards.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import mongoose from "mongoose";
import { env } from "./env";
import { syncIndexes } from "../src/db";
import { registerMember } from "../src/domain/members";
import { createRequest } from "../src/domain/requests";
import { Request } from "../src/db/models/request";
import { Member } from "../src/db/models/member";
import { backupDatabase, restoreDatabase } from "../src/db/backup";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";

const REQUESTS = env("BENCH_BACKUP_REQUESTS", 10_000);
const MEMBERS = Math.max(1, Math.round(REQUESTS / 10));
const mb = (n: number) => Math.round(n / 1024 / 1024);

/** Runs `fn` while sampling RSS; the peak in MB above the RSS at the start. */
async function peakOf<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; rssStartMb: number; rssPeakMb: number }> {
  global.gc?.();
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const t0 = performance.now();
  try {
    const result = await fn();
    return { result, ms: Math.round(performance.now() - t0), rssStartMb: mb(start), rssPeakMb: mb(Math.max(peak, process.memoryUsage.rss())) };
  } finally {
    clearInterval(timer);
  }
}

async function fill(): Promise<void> {
  const member = await registerMember(
    9_900_001,
    { name: "Anggota Bench", phone: "+6281234567890", businessName: "UD Bench", products: "keripik", kecamatan: "Mengwi", sentraId: null, sentraWish: null },
    new Date(),
    "id",
  );
  const template = await createRequest({
    sla: SLA_DEFAULTS,
    type: "produksi",
    member: { id: member.id, telegramId: member.telegramId, sentraId: null, kecamatan: "Mengwi" },
    answers: { category: "peralatan", product: "keripik bayam", description: "Mesin pengiris rusak sejak kemarin, minyak goreng langka di pasar.", urgency: "berhenti_baru" },
    attachments: [{ kind: "photo", field: "photos", fileId: "AgACAgUAAxkBAAIB".padEnd(80, "x"), fileUniqueId: "AQADx" }],
    sourceKey: "bench-backup-template",
    now: new Date(),
  });
  const req = (await Request.collection.findOne({ _id: new mongoose.Types.ObjectId(template.id) }))!;
  const mem = (await Member.collection.findOne({ _id: new mongoose.Types.ObjectId(member.id) }))!;
  await Request.collection.deleteMany({});
  await Member.collection.deleteMany({});
  const batch = 1000;
  for (let i = 0; i < MEMBERS; i += batch) {
    const n = Math.min(batch, MEMBERS - i);
    await Member.collection.insertMany(
      Array.from({ length: n }, (_, k) => ({ ...mem, _id: new mongoose.Types.ObjectId(), telegramId: 9_000_000 + i + k, name: `Anggota ${i + k}` })),
    );
  }
  for (let i = 0; i < REQUESTS; i += batch) {
    const n = Math.min(batch, REQUESTS - i);
    await Request.collection.insertMany(
      Array.from({ length: n }, (_, k) => ({
        ...req,
        _id: new mongoose.Types.ObjectId(),
        code: `PRD-2612-${String(i + k).padStart(6, "0")}`,
        sourceKey: `bench-backup-${i + k}`,
        telegramId: 9_000_000 + ((i + k) % MEMBERS),
      })),
    );
  }
}

async function main() {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error("MONGODB_URI is not set (bench:backup needs a server, e.g. FerretDB: bench/ferretdb-postgres/run.sh)");
  const name = `aspirasi_bench_backup_${Date.now().toString(36)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aspirasi-bench-backup-"));
  const file = path.join(dir, "backup.ndjson.gz");
  await mongoose.connect(uri, { dbName: name, serverSelectionTimeoutMS: 10_000 });
  const target = mongoose.connection.getClient().db(`${name}_restored`);
  try {
    await syncIndexes();
    const filled = performance.now();
    await fill();
    console.log(`filled ${REQUESTS} requests and ${MEMBERS} members in ${Math.round((performance.now() - filled) / 1000)} s`);
    const backup = await peakOf(() => backupDatabase(mongoose.connection.db!, file));
    const docs = Object.values(backup.result.documents).reduce((a, b) => a + b, 0);
    console.log(`backup: ${docs} documents in ${backup.ms} ms, ${(backup.result.bytes / 1024 / 1024).toFixed(1)} MB gzip; RSS ${backup.rssStartMb} → peak ${backup.rssPeakMb} MB`);
    const restore = await peakOf(() => restoreDatabase(target, file));
    const restored = Object.values(restore.result.documents).reduce((a, b) => a + b, 0);
    console.log(`restore: ${restored} documents in ${restore.ms} ms; RSS ${restore.rssStartMb} → peak ${restore.rssPeakMb} MB`);
    if (restored !== docs) throw new Error(`restored ${restored} of ${docs} documents`);
  } finally {
    await target.dropDatabase().catch(() => undefined);
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await mongoose.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
