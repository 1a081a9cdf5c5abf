/**
 * Start-up migrations (src/db/migrations.ts, issue 26.4): members saved before `phoneVerifiedAt`
 * existed get it at the next start (a WhatsApp member's number is the one Meta verified, from when it
 * was linked; everyone else null), once: the record says so, and a second run changes nothing.
 */
import mongoose, { Types } from "mongoose";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { FakeBotApiServer } from "./helpers/fake-bot-api-server";
import { startBot, type BotProcess } from "./helpers/bot-process";
import { MIGRATIONS, runMigrations } from "../src/db/migrations";
import { silentLogger } from "./helpers/harness";

const db = useTestDatabase();
const LINKED = new Date("2026-11-02T03:00:00Z");
const CREATED = new Date("2026-10-01T03:00:00Z");
const ID = "2026-12-07-member-phone-verified";

/** Members as the release before the phone check stored them: no phoneVerifiedAt at all. */
async function oldMembers() {
  const members = mongoose.connection.db!.collection("members");
  const ids = { wa: new Types.ObjectId(), waTyped: new Types.ObjectId(), tg: new Types.ObjectId(), current: new Types.ObjectId() };
  await members.insertMany([
    { _id: ids.wa, name: "Wayan", phone: "+6281234500001", channel: "whatsapp", whatsapp: { waId: "6281234500001", linkedAt: LINKED }, registeredAt: LINKED, createdAt: CREATED },
    // The number on the record is not the one WhatsApp verified: not verified.
    {
      _id: ids.waTyped,
      name: "Komang",
      phone: "+6281234500009",
      channel: "whatsapp",
      whatsapp: { waId: "6281234500002", linkedAt: LINKED },
      registeredAt: LINKED,
      createdAt: CREATED,
    },
    { _id: ids.tg, telegramId: 73001, name: "Ketut", phone: "+6281234500003", channel: "telegram", registeredAt: CREATED, createdAt: CREATED },
    // Saved by this release: left as it is.
    { _id: ids.current, telegramId: 73002, name: "Putu", phone: "+6281234500004", phoneVerifiedAt: CREATED, registeredAt: CREATED, createdAt: CREATED },
  ]);
  return ids;
}

async function verifiedAt(id: Types.ObjectId) {
  const doc = await mongoose.connection.db!.collection("members").findOne({ _id: id });
  return doc && "phoneVerifiedAt" in doc ? doc.phoneVerifiedAt : "absent";
}

beforeEach(clearDatabase);

test("the phone-verified migration sets each old member's field once, and a second run changes nothing", async () => {
  const ids = await oldMembers();
  const first = await runMigrations(mongoose.connection.db!, { logger: silentLogger });
  expect(first.applied).toEqual([{ id: ID, changed: 3, ms: expect.any(Number) }]);
  expect(await verifiedAt(ids.wa)).toEqual(LINKED);
  expect(await verifiedAt(ids.waTyped)).toBeNull();
  expect(await verifiedAt(ids.tg)).toBeNull();
  expect(await verifiedAt(ids.current)).toEqual(CREATED);
  expect(await mongoose.connection.db!.collection("migrations").findOne({ _id: ID as never })).toMatchObject({ changed: 3, appliedAt: expect.any(Date) });

  // Recorded: not run again at the next start.
  expect((await runMigrations(mongoose.connection.db!, { logger: silentLogger })).applied).toEqual([]);
  // And idempotent if it is (a crash before the record, two processes starting at once).
  const migration = MIGRATIONS.find((m) => m.id === ID)!;
  expect(await migration.up(mongoose.connection.db!)).toBe(0);
  expect(await verifiedAt(ids.wa)).toEqual(LINKED);
});

describe("the real process", () => {
  const api = new FakeBotApiServer();
  let bot: BotProcess | undefined;
  beforeAll(() => api.start());
  afterAll(async () => {
    await bot?.ensureStopped();
    await api.stop();
  });

  test("applies the migrations at start, before it takes updates, and logs each once", async () => {
    const ids = await oldMembers();
    bot = await startBot({ apiRoot: api.url, db: db.name, env: { OFFICER_GROUP_ID: "-1001234567123" } });
    expect(bot.logs.filter((l) => l.msg === "migration applied")).toEqual([expect.objectContaining({ migration: ID, changed: 3 })]);
    expect(await verifiedAt(ids.wa)).toEqual(LINKED);
    bot.kill("SIGTERM");
    expect((await bot.exited).code).toBe(0);
    // A restart finds it recorded.
    bot = await startBot({ apiRoot: api.url, db: db.name, env: { OFFICER_GROUP_ID: "-1001234567123" } });
    expect(bot.logs.filter((l) => l.msg === "migration applied")).toEqual([]);
    bot.kill("SIGTERM");
    expect((await bot.exited).code).toBe(0);
  });
});
