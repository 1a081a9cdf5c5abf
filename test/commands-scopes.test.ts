import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, testConfig } from "./helpers/harness";
import { refreshCommands, PRIVATE_COMMANDS, STAFF_COMMANDS, ADMIN_COMMANDS, GROUP_COMMANDS } from "../src/bot/commands";
import { upsertOfficer } from "../src/domain/officers";
import { tFor } from "../src/i18n";

useTestDatabase();

const ADMIN = 7500, OFFICER = 7501, GROUP = -1009876543210;

test("command menus per scope: members, the officers' group, each officer and each admin, in id and en", async () => {
  await clearDatabase();
  await upsertOfficer({ telegramId: OFFICER, name: "Petugas", handles: { types: [], kecamatan: [] } }, ADMIN, new Date());
  const h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN), OFFICER_GROUP_ID: String(GROUP) }));
  await refreshCommands(h.bot.api, h.config);
  const calls = h.telegram.callsOf("setMyCommands");
  const byScope = (scope: unknown, lang?: string) =>
    calls.find((c) => JSON.stringify(c.payload.scope) === JSON.stringify(scope) && c.payload.language_code === lang)!.payload.commands as { command: string; description: string }[];
  const names = (list: { command: string }[]) => list.map((c) => c.command);

  expect(calls).toHaveLength(12); // 4 scopes x (default, id, en)
  expect(names(byScope({ type: "all_private_chats" }))).toEqual([...PRIVATE_COMMANDS]);
  expect(PRIVATE_COMMANDS).toContain("status");
  expect(names(byScope({ type: "chat", chat_id: GROUP }, "id"))).toEqual([...GROUP_COMMANDS]);
  expect(names(byScope({ type: "chat", chat_id: OFFICER }))).toEqual([...PRIVATE_COMMANDS, ...STAFF_COMMANDS]);
  expect(names(byScope({ type: "chat", chat_id: ADMIN }, "en"))).toEqual([...PRIVATE_COMMANDS, ...STAFF_COMMANDS, ...ADMIN_COMMANDS]);
  // Descriptions come from the locales, in the scope's language.
  expect(byScope({ type: "chat", chat_id: ADMIN }, "en").find((c) => c.command === "rekap")!.description).toBe(tFor("en")("commands.rekap"));
  expect(byScope({ type: "chat", chat_id: GROUP }).find((c) => c.command === "antrian")!.description).toBe(tFor("id")("commands.antrian"));
});
