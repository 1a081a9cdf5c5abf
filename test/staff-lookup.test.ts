/**
 * Officers and admins look a request up: `/status KODE` in the officers' group or privately gives
 * the staff view (member, sentra, answers, attachments, who handles it, the timeline, a link to the
 * card; never the phone); `/cari` finds requests by member name, business or code. Members and other
 * groups get nothing of it.
 */
import { useTestDatabase } from "./helpers/db";
import { GROUP, PHONE, cardMessageId, newMember, newRequest, officerWorld } from "./helpers/officers";
import { templateRegex } from "./helpers/localeText";
import { messageLink } from "../src/telegram/request-text";
import { SEARCH_MAX, SEARCH_MIN } from "../src/domain/queries";
import { tFor } from "../src/i18n";

useTestDatabase();
const t = tFor("id");

test("an officer's /status KODE in the group and privately: the staff view, with the card's link and no phone", async () => {
  const { h, made, sentraId } = await officerWorld();
  const member = await newMember(5201, { name: "Ni Luh Sari", sentraId });
  const r = await newRequest(member, "kemasan");
  await h.drain();
  await made.press("Ambil", { messageId: await cardMessageId(r.id) });
  await h.drain();

  const before = h.telegram.calls.length;
  await made.send(`/status ${r.code}`);
  const inGroup = h.telegram.calls.slice(before).filter((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === GROUP);
  expect(inGroup).toHaveLength(1);
  const view = String(inGroup[0].payload.text);
  expect(view).toContain(r.code);
  expect(view).toContain("Ni Luh Sari");
  expect(view).toContain(member.businessName!);
  expect(view).toContain("Sentra IKM Amerta Jaya");
  expect(view).toMatch(/Ditangani: Made/);
  expect(view).toContain(t("status.staff_answers"));
  expect(view).toContain(t("request.opt.desain_label"));
  expect(view).toContain(messageLink(GROUP, await cardMessageId(r.id))!);
  expect(view).not.toContain(PHONE.slice(3));

  // Privately: the same view; without a code, how to look requests up (not "not registered").
  const privately = h.user(9101, { first_name: "Made" });
  await privately.send(`/status ${r.code.toLowerCase()}`);
  expect(privately.lastText()).toContain("Ni Luh Sari");
  await privately.send("/status");
  expect(privately.lastText()).toBe(t("status.staff_hint"));
});

test("/cari finds requests by business, name or code, taking the text literally; members and other groups get nothing", async () => {
  const { h, made, sentraId } = await officerWorld();
  const sari = await newMember(5202, { name: "Ni Luh Sari", sentraId });
  const komang = await newMember(5203, { name: "Komang (Kue)", sentraId });
  const a = await newRequest(sari, "kemasan");
  const b = await newRequest(komang, "modal");
  await h.drain();

  await made.send("/cari luh sari");
  let reply = made.lastText();
  expect(reply).toMatch(templateRegex("reports.search_title"));
  expect(reply).toContain(a.code);
  expect(reply).not.toContain(b.code);
  await made.send(`/cari ${b.code.slice(0, 8)}`);
  expect(made.lastText()).toContain(b.code);
  // Regular-expression characters are just characters.
  await made.send("/cari (Kue)");
  reply = made.lastText();
  expect(reply).toContain(b.code);
  expect(reply).not.toContain(a.code);
  await made.send("/cari .*");
  expect(made.lastText()).toContain(t("reports.search_empty"));
  await made.send("/cari x");
  expect(made.lastText()).toBe(t("reports.search_usage", { min: SEARCH_MIN, max: SEARCH_MAX }));

  // A member: like any unknown command. Another group: nothing of the requests, only why (and what to do).
  const member = h.user(5202);
  await member.send("/cari sari");
  expect(member.lastText()).toBe(t("unhandled.member"));
  await member.send(`/status ${b.code}`);
  expect(member.lastText()).toBe(t("status.not_found", { code: b.code }));
  const elsewhere = h.inGroup(-1009999, 9101, { first_name: "Made" });
  const before = h.telegram.calls.length;
  await elsewhere.send("/cari sari");
  await elsewhere.send(`/status ${a.code}`);
  expect(h.telegram.calls.slice(before).map((c) => [c.method, c.payload.text])).toEqual([
    ["sendMessage", t("officer.place.officer")],
    ["sendMessage", t("officer.place.officer")],
  ]);
});
