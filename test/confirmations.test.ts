/**
 * The registry of admin confirmations: a stored change of an unknown kind or of the wrong shape is
 * refused, never carried out; a confirm button pressed by anyone but an admin changes nothing.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, testConfig } from "./helpers/harness";
import { textOf } from "./helpers/localeText";
import { Confirmation } from "../src/db/models/confirmation";
import { AuditLog } from "../src/db/models/audit-log";
import { getOfficeContact } from "../src/domain/settings";
import { CONFIRM_TTL_MS, parseChange } from "../src/domain/confirmations";
import { confirmButtonData } from "../src/telegram/callback-data";

useTestDatabase();

const ADMIN = 7001;
let h: Harness;
beforeEach(async () => {
  await clearDatabase();
  h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN) }));
});

test("parseChange accepts each registered shape and refuses unknown kinds and wrong shapes", () => {
  expect(parseChange("office_contact", { contact: "WA 0812" })).toEqual({ action: "office_contact", payload: { contact: "WA 0812" } });
  expect(parseChange("holiday", { op: "add", date: "2026-12-25", name: "Natal" })).toEqual({ action: "holiday", payload: { op: "add", date: "2026-12-25", name: "Natal" } });
  expect(parseChange("officer", { op: "remove", telegramId: 5, name: "Made" })).toEqual({ action: "officer", payload: { op: "remove", telegramId: 5, name: "Made" } });
  expect(parseChange("drop_database", { contact: "x" })).toBeNull();
  expect(parseChange("__proto__", {})).toBeNull();
  expect(parseChange("office_contact", { contact: 42 })).toBeNull();
  expect(parseChange("office_contact", null)).toBeNull();
  expect(parseChange("holiday", { op: "add", date: "tomorrow", name: "x" })).toBeNull();
  expect(parseChange("officer", { op: "add", telegramId: 5, name: "Made", handles: { types: ["rockets"], kecamatan: [] } })).toBeNull();
  expect(parseChange("officer", { op: "promote", telegramId: 5, name: "Made" })).toBeNull();
});

async function stored(action: string, payload: unknown): Promise<string> {
  const doc = await Confirmation.create({ by: ADMIN, action, payload: JSON.stringify(payload), expiresAt: new Date(Date.now() + CONFIRM_TTL_MS) });
  return String(doc._id);
}

test.each([
  ["an unknown kind", "drop_database", { contact: "WA 0812" }],
  ["a payload of the wrong shape", "office_contact", { contact: { $set: 1 } }],
])("a confirmation of %s is refused with a short answer and changes nothing", async (_label, action, payload) => {
  const admin = h.user(ADMIN);
  await admin.send("/kontak");
  const id = await stored(action, payload);
  const calls = await admin.press(confirmButtonData(true, id), { raw: true, messageId: 1 });
  const answer = calls.find((c) => c.method === "answerCallbackQuery")!;
  expect(answer.payload).toMatchObject({ show_alert: true, text: textOf("officer.admin.confirm_gone") });
  expect(calls.some((c) => c.method === "editMessageText")).toBe(false);
  expect(await getOfficeContact()).toBeNull();
  expect(await AuditLog.countDocuments()).toBe(0);
  expect(await Confirmation.countDocuments()).toBe(0); // taken: a second press finds nothing
});

test("a forged confirm button from a non-admin changes nothing; the admin can still confirm", async () => {
  const admin = h.user(ADMIN);
  await admin.send("/kontak WA 0812 3456 7890");
  const button = admin.findButton(textOf("admin.confirm_yes"))!;
  const stranger = h.user(7002);
  const forged = await stranger.press(String(button.data), { raw: true, messageId: button.messageId });
  const answer = forged.find((c) => c.method === "answerCallbackQuery")!;
  expect(answer.payload).toMatchObject({ show_alert: true, text: textOf("admin.not_allowed") });
  expect(await getOfficeContact()).toBeNull();
  expect(await Confirmation.countDocuments()).toBe(1);
  await admin.press(textOf("admin.confirm_yes"));
  expect(admin.lastText()).toBe(textOf("admin.contact_saved", { contact: "WA 0812 3456 7890" }));
  expect(await getOfficeContact()).toBe("WA 0812 3456 7890");
});
