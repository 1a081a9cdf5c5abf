import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness } from "./helpers/harness";
import { ConversationState } from "../src/db/models/conversation-state";
import { Member } from "../src/db/models/member";

useTestDatabase();

test("a double tap on 'Tidak, lanjutkan' (Telegram: message is not modified) keeps the dialogue", async () => {
  await clearDatabase();
  const h = new Harness();
  const u = h.user(7600);
  await u.send("/start");
  await u.press("Setuju");
  await u.send("/bahasa");
  const stay = u.findButton("Tidak, lanjutkan")!;
  await u.press("Tidak, lanjutkan");
  // The second press of the same button: the message already says so, and Telegram refuses the edit.
  h.telegram.fail("editMessageText", { kind: "http", error_code: 400, description: "Bad Request: message is not modified" });
  const second = await u.press(stay.data, { raw: true, messageId: stay.messageId });
  expect(second.filter((c) => c.method === "sendMessage").map((c) => c.payload.text)).toEqual(["Siapa nama Bapak/Ibu?"]);
  expect(second.some((c) => c.method === "sendMessage" && /gangguan/.test(String(c.payload.text)))).toBe(false);
  await u.send("Ni Wayan Tetap");
  expect(u.lastText()).toMatch(/nomor HP/);
  expect(await ConversationState.countDocuments()).toBe(1);
  expect(await Member.countDocuments({ registeredAt: { $ne: null } })).toBe(0);
});
