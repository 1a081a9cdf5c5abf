/**
 * `npm run seed` (src/scripts/seed.ts) as a real process against the test database: loads
 * data/sentras.json, and a second run inserts and changes nothing.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { useTestDatabase } from "./helpers/db";
import { Sentra } from "../src/db/models/sentra";
import { Holiday } from "../src/db/models/holiday";
import { readHolidayFiles } from "../src/domain/holidays";

const db = useTestDatabase();
const ROOT = path.resolve(__dirname, "..");

/** The test server's URI with this file's database name in it. */
function uriWithDatabase(uri: string, name: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new Error(`unexpected MONGODB_TEST_URI ${uri}`);
  return `${m[1]}/${name}${m[3] ?? ""}`;
}

function seed(env: Record<string, string> = {}): Promise<{ code: number | null; logs: Record<string, unknown>[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), [path.join(ROOT, "src", "scripts", "seed.ts")], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? ROOT, MONGODB_URI: uriWithDatabase(process.env.MONGODB_TEST_URI!, db.name), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const logs = stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, logs, stderr });
    });
  });
}

test("npm run seed loads data/sentras.json and data/holidays; running it twice inserts and changes nothing", async () => {
  const first = await seed();
  expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: "" });
  expect(first.logs.find((l) => l.msg === "sentras seeded")).toMatchObject({ inserted: 1, existing: 0, total: 1 });
  const days = readHolidayFiles(path.join(ROOT, "data", "holidays")).flatMap((f) => f.entries);
  expect(first.logs.find((l) => l.msg === "holidays seeded")).toMatchObject({ files: 2, inserted: days.length, existing: 0 });
  expect(await Holiday.countDocuments({ active: true })).toBe(days.length);
  expect(await Holiday.findOne({ date: "2026-03-19" }).lean()).toMatchObject({ kind: "nasional", source: expect.stringContaining("1497/2025") });
  expect(await Holiday.findOne({ date: "2026-06-17" }).lean()).toMatchObject({ name: "Hari Raya Galungan", kind: "bali" });
  // An admin removed a day (/libur hapus): seeding again must not bring it back.
  await Holiday.updateOne({ date: "2026-06-17" }, { $set: { active: false } });
  const holidaysBefore = await Holiday.find().sort({ date: 1 }).lean();
  expect(await Sentra.find().lean()).toEqual([expect.objectContaining({ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi", active: true })]);
  // Its members' common products, from the article: offered as buttons at registration.
  expect((await Sentra.findOne({ slug: "amerta-jaya" }).lean())!.products).toEqual(expect.arrayContaining(["kue potong", "pastel", "keripik bayam", "jamu kunyit"]));
  // An admin renames it in Telegram (/sentra); seeding again must not undo that.
  await Sentra.updateOne({ slug: "amerta-jaya" }, { $set: { name: "Sentra IKM Amerta Jaya Mengwi" } });
  const stored = await Sentra.find().lean();

  const second = await seed();
  expect(second.code).toBe(0);
  expect(second.logs.find((l) => l.msg === "sentras seeded")).toMatchObject({ inserted: 0, existing: 1, total: 1 });
  expect(second.logs.find((l) => l.msg === "holidays seeded")).toMatchObject({ inserted: 0, existing: days.length });
  expect(await Holiday.find().sort({ date: 1 }).lean()).toEqual(holidaysBefore);
  const again = await Sentra.find().lean();
  expect(again).toHaveLength(1);
  expect(again[0].updatedAt).toEqual(stored[0].updatedAt);
  expect(again[0].name).toBe("Sentra IKM Amerta Jaya Mengwi");
}, 60_000);

test("npm run seed validates its settings like the bot: production without MONGODB_URI stops with one line", async () => {
  const res = await seed({ NODE_ENV: "production", MONGODB_URI: "" });
  expect(res.code).toBe(1);
  expect(res.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^Configuration error: MONGODB_URI required when NODE_ENV=production/)]);
  expect(res.logs).toEqual([]);
  const bad = await seed({ MONGODB_URI: "localhost:27017" });
  expect(bad.code).toBe(1);
  expect(bad.stderr.trim()).toMatch(/^Configuration error: MONGODB_URI must be a MongoDB connection string/);
}, 60_000);
