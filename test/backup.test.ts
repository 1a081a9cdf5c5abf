/**
 * `npm run backup` and `npm run restore` (src/db/backup.ts) as real processes (issue 26.2): a database
 * filled through the bot is backed up, restored into another database, and the bot on the restored
 * copy shows the same requests, statuses, timelines and members. A non-empty database is refused.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import mongoose from "mongoose";
import { useTestDatabase } from "./helpers/db";
import { uriWithDatabase } from "./helpers/bot-process";
import { cardMessageId, newMember, officerHarness, officerWorld } from "./helpers/officers";
import { walkShortestPath } from "./helpers/requests";
import { syncIndexes } from "../src/db";
import { Request } from "../src/db/models/request";
import { invalidateReadCaches } from "../src/lib/read-cache";
import { tFor } from "../src/i18n";

const db = useTestDatabase();
const ROOT = path.resolve(__dirname, "..");
const { EJSON } = mongoose.mongo.BSON;
const t = tFor("id");

function run(script: "backup" | "restore", args: string[], database: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), [path.join(ROOT, "src", "scripts", `${script}.ts`), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? ROOT, MONGODB_URI: uriWithDatabase(process.env.MONGODB_TEST_URI!, database) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every document of every collection, as canonical EJSON, sorted: two equal databases give equal dumps. */
async function dump(database: mongoose.mongo.Db): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const { name } of await database.listCollections({}, { nameOnly: true }).toArray()) {
    if (name.startsWith("system.")) continue;
    const docs = await database.collection(name).find({}).toArray();
    if (docs.length > 0) out[name] = docs.map((d) => EJSON.stringify(d, { relaxed: false })).sort();
  }
  return out;
}

test("a backup restored into an empty database gives the bot the same members, requests, statuses and timelines; a non-empty one is refused", async () => {
  const { h, made, sentraId } = await officerWorld();
  await newMember(5101, { name: "Ni Luh Sari", sentraId });
  const member = h.user(5101);
  const { code } = await walkShortestPath(member, "kemasan");
  const second = await walkShortestPath(member, "produksi");
  await h.drain();
  const request = await Request.findOne({ code }).lean();
  const cardId = await cardMessageId(String(request!._id));
  await made.press("Ambil", { messageId: cardId });
  await made.press("Telaah", { messageId: cardId });
  await h.drain();
  expect((await Request.findOne({ code }).lean())!.status).toBe("ditelaah");

  const views = async (harness: typeof h) => {
    const m = harness.user(5101);
    await m.send(`/status ${code}`);
    const memberDetail = m.lastText();
    await m.send("/status");
    const memberList = m.lastText();
    const officer = harness.user(9101);
    await officer.send(`/status ${code}`);
    return { memberDetail, memberList, officerDetail: officer.lastText() };
  };
  const before = await views(h);
  // The staff view carries the timeline: taken and under review, by Made.
  expect(before.officerDetail).toContain(t("labels.status.ditelaah"));
  expect(before.memberList).toContain(second.code);
  const original = await dump(mongoose.connection.db!);
  expect(Object.keys(original)).toEqual(expect.arrayContaining(["members", "requests", "sentras", "officers", "settings"]));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aspirasi-backup-"));
  const file = path.join(dir, "daily.ndjson.gz");
  const backup = await run("backup", [file], db.name);
  expect({ code: backup.code, stderr: backup.stderr }).toEqual({ code: 0, stderr: "" });
  // One gzip file of NDJSON lines: the header, then a line per document.
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString("utf8").trim().split("\n");
  expect(JSON.parse(lines[0])).toMatchObject({ format: "aspirasi-ikm-backup", version: 1, database: db.name });
  expect(lines.length - 1).toBe(Object.values(original).reduce((a, docs) => a + docs.length, 0));
  expect(fs.existsSync(`${file}.partial`)).toBe(false);

  const copy = `${db.name}_restored`;
  const restore = await run("restore", [file], copy);
  expect({ code: restore.code, stderr: restore.stderr }).toEqual({ code: 0, stderr: "" });
  const copyDb = mongoose.connection.getClient().db(copy);
  try {
    // Every document came back as it was: ObjectIds, dates and all.
    expect(await dump(copyDb)).toEqual(original);
    // Into a database that now holds data: refused, and nothing in it changes.
    const again = await run("restore", [file], copy);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("is not empty");
    expect(await dump(copyDb)).toEqual(original);

    // The bot on the restored copy.
    await mongoose.disconnect();
    await mongoose.connect(process.env.MONGODB_TEST_URI!, { dbName: copy, serverSelectionTimeoutMS: 10_000 });
    await syncIndexes();
    invalidateReadCaches();
    const restored = officerHarness();
    expect(await views(restored)).toEqual(before);
  } finally {
    // The client may have changed above: drop the copy through the one connected now.
    await mongoose.connection.getClient().db(copy).dropDatabase();
    await mongoose.disconnect();
    await mongoose.connect(process.env.MONGODB_TEST_URI!, { dbName: db.name, serverSelectionTimeoutMS: 10_000 });
    invalidateReadCaches();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
