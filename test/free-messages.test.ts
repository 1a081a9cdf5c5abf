/**
 * A member writes outside a dialogue while requests of theirs are open: asked which request it is
 * for, the message goes to the officers on the chosen card; a new report, or nothing, is also a
 * choice. A choice is the writer's, used once, and gone with /hapusdata.
 */
import { useTestDatabase } from "./helpers/db";
import { GROUP, cardMessageId, newMember, newRequest, officerWorld } from "./helpers/officers";
import { Request } from "../src/db/models/request";
import { Confirmation } from "../src/db/models/confirmation";
import { tFor } from "../src/i18n";

useTestDatabase();
const t = tFor("id");

test("a free message goes to the request the member picks; the choice is theirs and used once", async () => {
  const { h, sentraId } = await officerWorld();
  const m = await newMember(5301, { name: "Ni Luh Sari", sentraId });
  const a = await newRequest(m, "kemasan");
  const b = await newRequest(m, "pemasaran");
  await h.drain();
  const member = h.user(5301);

  await member.send("Kapan bantuannya datang?");
  expect(member.lastText()).toBe(t("unhandled.which_request"));
  for (const r of [a, b]) expect(member.findButton(r.code)).toBeDefined();
  expect(member.findButton(t("unhandled.btn_new"))).toBeDefined();

  // Someone else pressing the member's choice (a forged update) changes nothing.
  const button = member.findButton(a.code)!;
  const stranger = h.user(5399);
  await stranger.press(button.data, { raw: true, messageId: button.messageId });
  expect((await Request.findById(a.id).lean())!.timeline.some((e) => e.kind === "answer")).toBe(false);

  await member.press(a.code);
  await h.drain();
  expect((await Request.findById(a.id).lean())!.timeline.at(-1)).toMatchObject({ kind: "answer", note: "Kapan bantuannya datang?" });
  expect((await Request.findById(b.id).lean())!.timeline.some((e) => e.kind === "answer")).toBe(false);
  const relay = h.telegram.callsOf("sendMessage", GROUP).find((c) => String(c.payload.text).includes("Kapan bantuannya datang?"))!;
  expect(relay.payload).toMatchObject({ reply_parameters: { message_id: await cardMessageId(a.id) } });
  expect(member.texts()).toContain(t("unhandled.sent_to", { code: a.code }));
  expect(member.lastText()).toBe(t("officer.member.ack", { code: a.code }));

  // Pressed again: used already.
  await member.press(button.data, { raw: true, messageId: button.messageId });
  expect(h.telegram.calls.filter((c) => c.method === "answerCallbackQuery").at(-1)!.payload).toMatchObject({ text: t("unhandled.choice_expired"), show_alert: true });
  expect((await Request.findById(a.id).lean())!.timeline.filter((e) => e.kind === "answer")).toHaveLength(1);

  // A photo, then "Tidak usah": nothing is sent; "new" shows the menu.
  await member.photo("photo-free", { caption: "ini fotonya" });
  await member.press(t("unhandled.btn_no"));
  expect(member.lastText()).toBe(t("unhandled.not_sent"));
  await member.send("Saya mau lapor yang lain");
  await member.press(t("unhandled.btn_new"));
  expect(member.lastText()).toBe(t("unhandled.new_report"));
  expect((await Request.findById(b.id).lean())!.timeline.some((e) => e.kind === "answer")).toBe(false);
  expect((await Request.findById(a.id).lean())!.timeline.filter((e) => e.kind === "answer")).toHaveLength(1);

  // A pending choice holds the member's words: /hapusdata takes it too.
  await member.send("Satu lagi untuk petugas");
  expect(await Confirmation.countDocuments({ by: 5301 })).toBe(1);
  await member.send("/hapusdata");
  await member.press(t("privacy.confirm_yes"));
  expect(await Confirmation.countDocuments({ by: 5301 })).toBe(0);
});
