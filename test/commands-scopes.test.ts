import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, testConfig } from "./helpers/harness";
import { refreshCommands, PRIVATE_COMMANDS, STAFF_COMMANDS, STAFF_PRIVATE_COMMANDS, ADMIN_COMMANDS, GROUP_COMMANDS } from "../src/bot/commands";
import { upsertOfficer } from "../src/domain/officers";
import { seedSentras, listSentras } from "../src/domain/sentras";
import { registerMember } from "../src/domain/members";
import { setChairperson } from "../src/domain/chairpersons";
import { tFor } from "../src/i18n";
import { templateRegex } from "./helpers/localeText";

useTestDatabase();

const ADMIN = 7500,
  OFFICER = 7501,
  GROUP = -1009876543210;
const CHAIR_A = 7502,
  CHAIR_B = 7503;

type Listed = { command: string; description: string }[];
const names = (list: Listed) => list.map((c) => c.command);
const chatScope = (id: number) => ({ type: "chat", chat_id: id });
/** The member commands a chairperson sees: /ketua gone (moot), /anggota and /laporkan after /status. */
const CHAIR_PRIVATE = PRIVATE_COMMANDS.filter((c) => c !== "ketua").flatMap((c) => (c === "status" ? ["status", "anggota", "laporkan"] : [c]));

function menus(h: Harness) {
  const calls = h.telegram.callsOf("setMyCommands");
  /** The last menu set for the scope and language. */
  return (scope: unknown, lang?: string) =>
    calls.filter((c) => JSON.stringify(c.payload.scope) === JSON.stringify(scope) && c.payload.language_code === lang).at(-1)?.payload.commands as Listed | undefined;
}

async function member(id: number, name: string, sentraId: string) {
  await registerMember(id, { name, phone: `+62812${id}`, businessName: `Usaha ${name}`, products: "keripik", kecamatan: "Mengwi", sentraId, sentraWish: null }, new Date());
}

beforeEach(clearDatabase);

test("command menus per scope: members, the officers' group, each officer and each admin, in id and en", async () => {
  await upsertOfficer({ telegramId: OFFICER, name: "Petugas", handles: { types: [], kecamatan: [] } }, ADMIN, new Date());
  const h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN), OFFICER_GROUP_ID: String(GROUP) }));
  await refreshCommands(h.bot.api, h.config);
  const calls = h.telegram.callsOf("setMyCommands");
  const byScope = menus(h) as (scope: unknown, lang?: string) => Listed;

  expect(calls).toHaveLength(12); // 4 scopes x (default, id, en)
  expect(names(byScope({ type: "all_private_chats" }))).toEqual([...PRIVATE_COMMANDS]);
  expect(PRIVATE_COMMANDS).toContain("status");
  // Members may ask to chair their sentra.
  expect(PRIVATE_COMMANDS).toContain("ketua");
  expect(byScope({ type: "all_private_chats" }, "id").find((c) => c.command === "ketua")!.description).toBe(tFor("id")("commands.ketua"));
  expect(names(byScope(chatScope(GROUP), "id"))).toEqual([...GROUP_COMMANDS]);
  expect(names(byScope(chatScope(OFFICER)))).toEqual([...PRIVATE_COMMANDS, ...STAFF_COMMANDS, ...STAFF_PRIVATE_COMMANDS]);
  // An admin's /ketua appoints: listed once, among the admin's commands, described as such.
  const adminMenu = byScope(chatScope(ADMIN), "en");
  expect(names(adminMenu)).toEqual([...PRIVATE_COMMANDS.filter((c) => c !== "ketua"), ...STAFF_COMMANDS, ...STAFF_PRIVATE_COMMANDS, ...ADMIN_COMMANDS]);
  expect(adminMenu.find((c) => c.command === "ketua")!.description).toBe(tFor("en")("commands.ketua_admin"));
  expect(tFor("en")("commands.ketua_admin")).not.toBe(tFor("en")("commands.ketua"));
  // Descriptions come from the locales, in the scope's language.
  expect(byScope(chatScope(ADMIN), "en").find((c) => c.command === "rekap")!.description).toBe(tFor("en")("commands.rekap"));
  expect(byScope(chatScope(GROUP)).find((c) => c.command === "antrian")!.description).toBe(tFor("id")("commands.antrian"));
});

test("chairpersons get /anggota and /status as the sentra overview, combined with an officer's or admin's commands", async () => {
  await seedSentras([
    { slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" },
    { slug: "kapal", name: "Sentra Kapal", kecamatan: "Mengwi" },
  ]);
  const [a, b] = await listSentras();
  await member(CHAIR_A, "Ketut", a.id);
  await member(OFFICER, "Komang", b.id);
  await member(ADMIN, "Wayan", a.id);
  await upsertOfficer({ telegramId: OFFICER, name: "Komang", handles: { types: [], kecamatan: [] } }, ADMIN, new Date());
  await setChairperson(a.id, CHAIR_A, ADMIN, new Date());
  await setChairperson(b.id, OFFICER, ADMIN, new Date());
  const h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN), OFFICER_GROUP_ID: String(GROUP) }));
  await refreshCommands(h.bot.api, h.config);
  let byScope = menus(h);
  for (const lang of [undefined, "id", "en"]) {
    expect(names(byScope(chatScope(CHAIR_A), lang)!)).toEqual(CHAIR_PRIVATE);
    expect(names(byScope(chatScope(OFFICER), lang)!)).toEqual([...CHAIR_PRIVATE, ...STAFF_COMMANDS, ...STAFF_PRIVATE_COMMANDS]);
    expect(names(byScope(chatScope(ADMIN), lang)!)).toEqual([...PRIVATE_COMMANDS.filter((c) => c !== "ketua"), ...STAFF_COMMANDS, ...STAFF_PRIVATE_COMMANDS, ...ADMIN_COMMANDS]);
  }
  expect(byScope(chatScope(CHAIR_A), "en")!.find((c) => c.command === "status")!.description).toBe(tFor("en")("commands.status_chair"));
  expect(byScope(chatScope(CHAIR_A), "id")!.find((c) => c.command === "anggota")!.description).toBe(tFor("id")("commands.anggota"));
  expect(byScope(chatScope(OFFICER))!.find((c) => c.command === "status")!.description).toBe(tFor("id")("commands.status_chair"));

  // The admin chairs sentra A too: one menu with the staff's, the admin's and the chair's commands.
  await setChairperson(a.id, ADMIN, ADMIN, new Date());
  await refreshCommands(h.bot.api, h.config);
  byScope = menus(h);
  expect(names(byScope(chatScope(ADMIN), "en")!)).toEqual([...CHAIR_PRIVATE, ...STAFF_COMMANDS, ...STAFF_PRIVATE_COMMANDS, ...ADMIN_COMMANDS]);
  expect(byScope(chatScope(ADMIN), "id")!.find((c) => c.command === "ketua")!.description).toBe(tFor("id")("commands.ketua_admin"));
});

test("appointed by an admin's /ketua: the chairperson gets the menu, the one replaced loses it; an officer replaced keeps the officer's menu", async () => {
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  const [a] = await listSentras();
  await member(CHAIR_A, "Ketut", a.id);
  await member(CHAIR_B, "Made", a.id);
  await member(OFFICER, "Komang", a.id);
  await upsertOfficer({ telegramId: OFFICER, name: "Komang", handles: { types: [], kecamatan: [] } }, ADMIN, new Date());
  const h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN), OFFICER_GROUP_ID: String(GROUP) }));
  const admin = h.user(ADMIN);
  const appoint = async (label: string) => {
    await admin.send("/ketua");
    await admin.press("Sentra IKM Amerta Jaya");
    await admin.press(label);
    await admin.press("Ya, simpan");
    expect(admin.lastText()).toMatch(templateRegex("admin.chair_set", { vars: { sentra: "Sentra IKM Amerta Jaya" } }));
  };

  await appoint("Ketut (Usaha Ketut)");
  let byScope = menus(h);
  for (const lang of [undefined, "id", "en"]) expect(names(byScope(chatScope(CHAIR_A), lang)!)).toEqual(CHAIR_PRIVATE);
  expect(h.telegram.callsOf("deleteMyCommands")).toHaveLength(0);

  // Replaced by the officer: Ketut's own menu is deleted (default, id, en); the officer's combines both.
  await appoint("Komang (Usaha Komang)");
  const deleted = h.telegram.callsOf("deleteMyCommands").map((c) => c.payload);
  expect(deleted).toEqual([{ scope: chatScope(CHAIR_A) }, { scope: chatScope(CHAIR_A), language_code: "id" }, { scope: chatScope(CHAIR_A), language_code: "en" }]);
  byScope = menus(h);
  for (const lang of [undefined, "id", "en"]) expect(names(byScope(chatScope(OFFICER), lang)!)).toEqual([...CHAIR_PRIVATE, ...STAFF_COMMANDS, ...STAFF_PRIVATE_COMMANDS]);

  // The officer replaced in turn: back to the officer's menu, not deleted.
  await appoint("Made (Usaha Made)");
  expect(h.telegram.callsOf("deleteMyCommands")).toHaveLength(3);
  byScope = menus(h);
  for (const lang of [undefined, "id", "en"]) {
    expect(names(byScope(chatScope(OFFICER), lang)!)).toEqual([...PRIVATE_COMMANDS, ...STAFF_COMMANDS, ...STAFF_PRIVATE_COMMANDS]);
    expect(names(byScope(chatScope(CHAIR_B), lang)!)).toEqual(CHAIR_PRIVATE);
  }
});

test("an approved chair application sets the new chairperson's menu and deletes the replaced one's", async () => {
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  const [a] = await listSentras();
  await member(CHAIR_A, "Ketut", a.id);
  await member(CHAIR_B, "Made", a.id);
  await upsertOfficer({ telegramId: OFFICER, name: "Komang", handles: { types: [], kecamatan: [] } }, ADMIN, new Date());
  await setChairperson(a.id, CHAIR_A, ADMIN, new Date());
  const h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN), OFFICER_GROUP_ID: String(GROUP) }));
  const applicant = h.user(CHAIR_B);
  await applicant.send("/ketua");
  await applicant.press("Ya, ajukan");
  await h.drain();
  // Refused presses change no menu.
  await h.inGroup(GROUP, 7599).press("Setujui");
  expect(h.telegram.callsOf("setMyCommands")).toHaveLength(0);
  await h.inGroup(GROUP, OFFICER).press("Setujui");
  const byScope = menus(h);
  for (const lang of [undefined, "id", "en"]) expect(names(byScope(chatScope(CHAIR_B), lang)!)).toEqual(CHAIR_PRIVATE);
  expect(h.telegram.callsOf("deleteMyCommands").map((c) => c.payload.scope)).toEqual([chatScope(CHAIR_A), chatScope(CHAIR_A), chatScope(CHAIR_A)]);
});

test("one chat Telegram refuses does not keep the other chats' menus from being set; the failure names it", async () => {
  const OTHER_ADMIN = 7509;
  const h = new Harness(testConfig({ ADMIN_IDS: `${ADMIN},${OTHER_ADMIN}`, OFFICER_GROUP_ID: String(GROUP) }));
  h.telegram.fail("setMyCommands", { kind: "http", error_code: 400, description: "Bad Request: chat not found" }, 1, ADMIN);
  await expect(refreshCommands(h.bot.api, h.config)).rejects.toThrow(`command menus not set for 1 chat(s): ${ADMIN}: `);
  const byScope = menus(h) as (scope: unknown, lang?: string) => Listed | undefined;
  expect(byScope(chatScope(OTHER_ADMIN), "en")).toBeDefined();
  expect(byScope(chatScope(OTHER_ADMIN))).toBeDefined();
});
