/**
 * How to reach the office: an admin sets it with /kontak (confirmed, audited); members then see it in
 * /bantuan, in the receipt of a new request and in a decline notice. Nobody else may set it.
 */
import { useTestDatabase } from "./helpers/db";
import { ADMIN, GROUP, cardMessageId, lastBotMessage, newMember, newRequest, officerWorld } from "./helpers/officers";
import { registeredMember, fillSteps, codeIn, receiptText } from "./helpers/requests";
import { AuditLog } from "../src/db/models/audit-log";
import { getOfficeContact } from "../src/domain/settings";
import { tFor, typeWords } from "../src/i18n";

useTestDatabase();
const t = tFor("id");
const CONTACT = "Telp (0361) 123456 · WA 0812 3456 7890\nJl. Raya Mengwi No. 1";

test("an admin sets the office contact; members see it in /bantuan, the receipt and a decline", async () => {
  const { h, made, sentraId } = await officerWorld();
  const admin = h.user(ADMIN, { first_name: "Admin" });
  const line = t("help.office_contact", { contact: CONTACT });

  // Not an admin: like any unknown command, nothing stored.
  const member = h.user(5401);
  await registeredMember(member.id);
  await member.send(`/kontak ${CONTACT}`);
  expect(member.lastText()).toBe(t("unhandled.member"));
  expect(await getOfficeContact()).toBeNull();

  await admin.send(`/kontak ${CONTACT}`);
  expect(admin.lastText()).toBe(t("admin.contact_confirm", { contact: CONTACT }));
  expect(await getOfficeContact()).toBeNull(); // not before the confirmation
  await admin.press(t("admin.confirm_yes"));
  expect(admin.lastText()).toBe(t("admin.contact_saved", { contact: CONTACT }));
  expect(await getOfficeContact()).toBe(CONTACT);
  expect(await AuditLog.countDocuments({ action: "office_contact.set", by: ADMIN })).toBe(1);

  await member.send("/bantuan");
  expect(member.lastText()).toBe(t("help.text") + line);

  await member.send("/pemasaran");
  await fillSteps(member, "pemasaran");
  await member.press(t("request.send"));
  const code = codeIn(member.lastText());
  // The receipt with by when the office answers (sla-deadlines.test.ts), then the contact.
  expect(member.lastText()).toBe((await receiptText("pemasaran", code)) + line);

  // A declined request tells the member where to turn.
  const other = await newMember(5402, { sentraId });
  const r = await newRequest(other, "kemasan");
  await h.drain();
  const cardId = await cardMessageId(r.id);
  await made.press(t("officer.btn.reject"), { messageId: cardId });
  await h.drain();
  await made.send("Di luar kewenangan dinas.", { replyTo: lastBotMessage(h, GROUP, /apa alasan/).message_id });
  await h.drain();
  expect(h.telegram.textsTo(5402).at(-1)).toBe(t("officer.member.status.ditolak", { ...typeWords(t, "kemasan"), code: r.code, note: "Di luar kewenangan dinas." }) + line);

  // Removed: /bantuan without it.
  await admin.send("/kontak hapus");
  await admin.press(t("admin.confirm_yes"));
  expect(await getOfficeContact()).toBeNull();
  await member.send("/bantuan");
  expect(member.lastText()).toBe(t("help.text"));
});
