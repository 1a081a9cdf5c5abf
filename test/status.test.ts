import { useTestDatabase } from "./helpers/db";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import { Harness, testConfig, TestUser } from "./helpers/harness";
import { twoSentras, testMember, testRequest } from "./helpers/fixtures";
import type { MemberView } from "../src/domain/members";
import type { RequestView } from "../src/domain/requests";
import { setChairperson } from "../src/domain/chairpersons";
import { Request } from "../src/db/models/request";
import { recordDeliveryFailure } from "../src/domain/request-effects";
import { Member } from "../src/db/models/member";
import { Types } from "mongoose";
import { escapeRegex, inOrder, templateRegex, textOf } from "./helpers/localeText";

useTestDatabase();

const ADMIN = 7100;
const A = 7101; // member of sentra 1
const B = 7102; // member of sentra 2
const CHAIR1 = 7103; // chairperson of sentra 1
const CHAIR2 = 7104; // chairperson of sentra 2

let h: Harness;
let members: Record<number, MemberView>;
let aRequests: RequestView[];
let bRequest: RequestView;

const member = (id: number, sentraId: string, name: string) => testMember(id, sentraId, { name, businessName: `Usaha ${name}` });

beforeAll(async () => {
  const { s1, s2 } = await twoSentras();
  members = {
    [A]: await member(A, s1.id, "Ayu"),
    [B]: await member(B, s2.id, "Bagus"),
    [CHAIR1]: await member(CHAIR1, s1.id, "Ketua Satu"),
    [CHAIR2]: await member(CHAIR2, s2.id, "Ketua Dua"),
  };
  await setChairperson(s1.id, CHAIR1, ADMIN, new Date());
  await setChairperson(s2.id, CHAIR2, ADMIN, new Date());
  aRequests = [];
  for (let i = 0; i < 12; i++) {
    const r = await testRequest(members[A], i % 2 ? "kemasan" : "produksi", new Date(Date.UTC(2026, 10, 1 + i, 2)));
    // createdAt is the order of the list: one day apart, the last one newest.
    await Request.collection.updateOne({ code: r.code }, { $set: { createdAt: new Date(Date.UTC(2026, 10, 1 + i, 2)) } });
    aRequests.push(r);
  }
  await Request.collection.updateOne({ code: aRequests[0].code }, { $set: { status: "selesai" } });
  bRequest = await testRequest(members[B], "modal", new Date(Date.UTC(2026, 10, 5, 2)));
});

beforeEach(() => {
  h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN) }));
});

const codesIn = (text: string) => [...text.matchAll(/[A-Z]{3}-\d{4}-\d{3}/g)].map((m) => m[0]);

test("a member pages through 12 requests, five a page, newest first", async () => {
  const a = h.user(A);
  await a.send("/status");
  const first = a.lastText();
  expect(first).toContain(textOf("status.mine_title", { total: 12, page: 1, pages: 3 }));
  expect(codesIn(first)).toEqual(
    aRequests
      .slice(7)
      .reverse()
      .map((r) => r.code),
  );
  expect(first).toMatch(/WITA/);
  await a.press("Berikutnya");
  expect(codesIn(a.lastText())).toEqual(
    aRequests
      .slice(2, 7)
      .reverse()
      .map((r) => r.code),
  );
  await a.press("Berikutnya");
  expect(codesIn(a.lastText())).toEqual(
    aRequests
      .slice(0, 2)
      .reverse()
      .map((r) => r.code),
  );
  expect(a.findButton("Berikutnya")?.data).not.toBe("st:m:3");
  await a.press("Sebelumnya");
  expect(a.lastText()).toContain(textOf("status.mine_title", { total: 12, page: 2, pages: 3 }));
  // A paging button of an old message still answers with fresh data and only the sender's requests.
  await a.press("st:m:99", { raw: true });
  expect(a.lastText()).toContain(textOf("status.mine_title", { total: 12, page: 3, pages: 3 }));
});

test("a double tap on a paging button (Telegram: message is not modified) is answered quietly", async () => {
  const a = h.user(A);
  await a.send("/status");
  const next = a.findButton("Berikutnya")!;
  await a.press(next.data, { raw: true, messageId: next.messageId });
  h.telegram.fail("editMessageText", {
    kind: "http",
    error_code: 400,
    description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
  });
  const calls = await a.press(next.data, { raw: true, messageId: next.messageId });
  expect(calls.filter((c) => c.method === "editMessageText" && c.failed)).toHaveLength(1);
  expect(calls.find((c) => c.method === "answerCallbackQuery")!.payload.text).toBeUndefined();
  expect(calls.filter((c) => c.method === "sendMessage")).toEqual([]); // no "Maaf, terjadi gangguan"
  expect(a.lastText()).toContain(textOf("status.mine_title", { total: 12, page: 2, pages: 3 }));
});

test("the detail shows the timeline in Indonesian and WITA", async () => {
  const a = h.user(A);
  await a.send(`/status ${aRequests[3].code.toLowerCase().replace(/-/g, " ")}`);
  expect(a.lastText()).toContain(`<b>${aRequests[3].code}</b>`);
  expect(a.lastText()).toMatch(inOrder(textOf("status.timeline"), textOf("status.tl_created")));
  expect(a.lastText()).toMatch(/\d{1,2} Nov 2026 \d{2}\.\d{2} WITA/);
});

test("the list's last change is the newest timeline entry, not a bookkeeping write", async () => {
  const newest = aRequests[11];
  // A card edit, a queued notice, a failed delivery: none of them is a change of the request.
  await Request.updateOne({ code: newest.code }, { $set: { "card.hash": "bookkeeping" } });
  await recordDeliveryFailure(newest.id, "400: Bad Request: chat not found", { now: new Date(), sla: SLA_DEFAULTS });
  const a = h.user(A);
  await a.send("/status");
  const line = a
    .lastText()
    .split("\n\n")
    .find((l) => l.includes(newest.code))!;
  expect(line).toContain("12 Nov 2026 10.00 WITA");
});

test("members and chairpersons do not see delivery failures (Telegram's raw text); staff do", async () => {
  const r = aRequests[10];
  await recordDeliveryFailure(r.id, "403: Forbidden: bot was blocked by the user", { now: new Date(), sla: SLA_DEFAULTS });
  for (const id of [A, CHAIR1]) {
    const u = h.user(id);
    await u.send(`/status ${r.code}`);
    expect(u.lastText()).toMatch(inOrder(textOf("status.timeline"), textOf("status.tl_created")));
    expect(u.lastText()).not.toContain("Forbidden");
    expect(u.lastText()).not.toContain(textOf("status.tl_delivery"));
  }
  const admin = h.user(ADMIN);
  await admin.send(`/status ${r.code}`);
  expect(admin.lastText()).toMatch(inOrder(textOf("status.tl_delivery"), "403: Forbidden: bot was blocked by the user"));
});

describe("codes, lists and members", () => {
  test("a code that does not exist reads exactly like someone else's", async () => {
    const b = h.user(B);
    await b.send("/status KMS-2611-999");
    expect(b.lastText()).toBe(textOf("status.not_found", { code: "KMS-2611-999" }));
    await b.send("/status 12345");
    expect(b.lastText()).toBe(textOf("status.bad_code"));
  });

  test("lists: B sees only B's; the chairperson sees the sentra's open requests oldest first", async () => {
    const b = h.user(B);
    await b.send("/status");
    expect(codesIn(b.lastText())).toEqual([bRequest.code]);
    const chair: TestUser = h.user(CHAIR1);
    await chair.send("/status");
    const text = chair.lastText();
    expect(text).toContain(textOf("status.sentra_title", { sentra: "Sentra Satu" }));
    expect(text).toContain(`${textOf("labels.status.selesai")}: <b>1</b>`);
    expect(text).toContain(`${textOf("labels.status.diterima")}: <b>11</b>`);
    // Open ones, oldest first, each with whose it is; then the one finished (the first request).
    const [openPart, closedPart] = text.split(textOf("status.sentra_closed"));
    expect(codesIn(openPart)).toEqual(aRequests.slice(1, 6).map((r) => r.code));
    expect(openPart).toContain(textOf("status.sentra_whose", { member: "Ayu — Usaha Ayu" }));
    expect(codesIn(closedPart)).toEqual([aRequests[0].code]);
    await chair.press("Berikutnya");
    expect(codesIn(chair.lastText().split(textOf("status.sentra_closed"))[0])).toEqual(aRequests.slice(6, 11).map((r) => r.code));
    const other = h.user(CHAIR2);
    await other.send("/status");
    expect(codesIn(other.lastText())).toEqual([bRequest.code]);
    // A forged detail button for another sentra's request shows nothing.
    await other.press(`st:d:${aRequests[2].code}`, { raw: true });
    expect(other.lastText()).toBe(textOf("status.not_found", { code: aRequests[2].code }));
  });

  test("the chairperson's /status of one month: that month's counts and requests, the closing note shown", async () => {
    const chair = h.user(CHAIR1);
    // The first request is finished with a note; a request of December does not belong to November.
    await Request.collection.updateOne(
      { code: aRequests[0].code },
      {
        $set: { closedAt: new Date(Date.UTC(2026, 10, 20)) },
        $push: {
          timeline: { at: new Date(Date.UTC(2026, 10, 20)), by: 9101, role: "officer", kind: "status", from: "ditindaklanjuti", to: "selesai", note: "Label sudah dicetak." },
        } as never,
      },
    );
    const december = await testRequest(members[A], "modal", new Date(Date.UTC(2026, 11, 1, 2)));
    await chair.send("/status 2026-11");
    const text = chair.lastText();
    expect(text).toContain(textOf("status.sentra_title_month", { sentra: "Sentra Satu", month: "2026-11" }));
    expect(text).toContain(`${textOf("labels.status.diterima")}: <b>11</b>`);
    expect(text).not.toContain(december.code);
    expect(text).toContain(textOf("status.sentra_closing_note", { note: "Label sudah dicetak." }));
    // The next page keeps the month.
    await chair.press("Berikutnya");
    expect(chair.lastText()).toContain(textOf("status.sentra_title_month", { sentra: "Sentra Satu", month: "2026-11" }));
    expect(chair.lastText()).not.toContain(december.code);
    await chair.send("/status 2026-13");
    expect(chair.lastText()).toBe(textOf("reports.bad_month_format"));
    await Request.deleteOne({ code: december.code });
  });

  test("/anggota for the chairperson only", async () => {
    const chair = h.user(CHAIR1);
    await chair.send("/anggota");
    expect(chair.lastText()).toMatch(inOrder(templateRegex("status.members_title", { vars: { sentra: "Sentra Satu" } }), "Ayu"));
    expect(chair.lastText()).not.toMatch(/Bagus/);
    const a = h.user(A);
    await a.send("/anggota");
    expect(a.lastText()).toBe(textOf("unhandled.member"));
  });

  test("/anggota of a big sentra with long names: several messages within Telegram's limit, the rest counted", async () => {
    const s2 = new Types.ObjectId(members[B].sentraId!);
    const long = (i: number, what: string) => `${what} ${String(i).padStart(3, "0")} ${"panjang ".repeat(11)}`.slice(0, 100);
    await Member.insertMany(
      Array.from({ length: 105 }, (_, i) => ({
        telegramId: 7200_000 + i,
        name: long(i, "Anggota"),
        businessName: long(i, "Usaha"),
        sentraId: s2,
        registeredAt: new Date(),
        consentAt: new Date(),
      })),
    );
    try {
      const chair = h.user(CHAIR2);
      const calls = await chair.send("/anggota");
      const texts = calls.filter((c) => c.method === "sendMessage").map((c) => String(c.payload.text));
      expect(texts.length).toBeGreaterThan(1);
      for (const t of texts) expect(t.length).toBeLessThanOrEqual(4096);
      const all = texts.join("\n");
      expect(all).toContain(textOf("status.members_title", { sentra: "Sentra Dua", count: 107 }));
      expect(all.match(/^• /gm)).toHaveLength(100);
      expect(texts.at(-1)).toMatch(new RegExp(`${escapeRegex(textOf("status.members_more", { n: 7 }))}$`));
    } finally {
      // The other tests of this block share the database.
      await Member.deleteMany({ telegramId: { $gte: 7200_000 } });
    }
  });
});
