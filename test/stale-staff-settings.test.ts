/**
 * Issue 23.2: a staff command or button refused because of what this process has cached (the
 * officers' group, the officer list) is checked against the database first. Another process's write
 * is simulated by writing the collection directly (no mongoose hook, no stamp): the cache is warm
 * and wrong. And a refusal to staff in a group that is not the officers' group says why.
 */
import { useTestDatabase } from "./helpers/db";
import { GROUP, ADMIN, cardMessageId, newMember, newRequest, officerWorld } from "./helpers/officers";
import { textOf } from "./helpers/localeText";
import { Setting } from "../src/db/models/setting";
import { Officer } from "../src/db/models/officer";
import { Request } from "../src/db/models/request";
import { Confirmation } from "../src/db/models/confirmation";
import { getOfficerGroupId } from "../src/domain/settings";
import { isOfficer } from "../src/domain/officers";

useTestDatabase();

const NEW_GROUP = -1007777000222;

test("a group linked a moment ago on another process is the officers' group here too, at once", async () => {
  const { h } = await officerWorld();
  expect(await getOfficerGroupId()).toBe(GROUP); // warm
  await Setting.collection.updateOne({ _id: "officerGroupId" as never }, { $set: { value: NEW_GROUP } });
  const admin = h.inGroup(NEW_GROUP, ADMIN);
  const officer = h.inGroup(NEW_GROUP, 9333, { first_name: "Komang" });
  await admin.send("/petugas tambah kemasan", { replyTo: officer.ownMessage("siap") });
  await h.drain();
  // Not refused: the confirmation was staged and its question asked in the (new) officers' group.
  expect(await Confirmation.countDocuments({ by: ADMIN, action: "officer" })).toBe(1);
  expect(h.telegram.textsTo(NEW_GROUP).join("\n")).not.toContain(textOf("officer.place.admin"));
  expect(admin.findButton("Ya, simpan")).toBeDefined();
});

test("in a group that is not the officers' group, an admin's /petugas is answered with why and what to do", async () => {
  const { h } = await officerWorld();
  const admin = h.inGroup(NEW_GROUP, ADMIN);
  const calls = await admin.send("/petugas");
  expect(calls.map((c) => [c.method, c.payload.chat_id, c.payload.text])).toEqual([["sendMessage", NEW_GROUP, textOf("officer.place.admin")]]);
  expect(await Confirmation.countDocuments()).toBe(0);
});

test("an officer added a second ago on another process may press a card's button here", async () => {
  const { h, sentraId } = await officerWorld();
  const member = await newMember(5401, { sentraId });
  const r = await newRequest(member, "kemasan");
  await h.drain();
  expect(await isOfficer(9444)).toBe(false); // the list is cached now
  await Officer.collection.insertOne({ telegramId: 9444, name: "Wayan", types: ["kemasan"], kecamatan: [], active: true, createdAt: new Date(), updatedAt: new Date() } as never);
  const wayan = h.inGroup(GROUP, 9444, { first_name: "Wayan" });
  const calls = await wayan.press(textOf("officer.btn.claim"), { messageId: await cardMessageId(r.id) });
  expect((await Request.findById(r.id).lean())!.assigneeTelegramId).toBe(9444);
  expect(calls.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBe(textOf("officer.cb.claimed", { code: r.code }));
});
