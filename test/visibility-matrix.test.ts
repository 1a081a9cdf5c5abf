/**
 * Every role x every way of looking at requests, each cell asserted: member A (owner), member B,
 * the chairperson of A's sentra, a chairperson of another sentra, an officer, an admin
 * x list, detail by code, recap, export.
 */
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { useTestDatabase } from "./helpers/db";
import { Harness, testConfig } from "./helpers/harness";
import { twoSentras, testMember, testRequest } from "./helpers/fixtures";
import type { RequestView } from "../src/domain/requests";
import { setChairperson } from "../src/domain/chairpersons";
import { upsertOfficer } from "../src/domain/officers";
import { inOrder, templateRegex, textOf } from "./helpers/localeText";
import { Types } from "mongoose";
import { Member } from "../src/db/models/member";
import { witaMonth } from "../src/lib/time";

useTestDatabase();

const ADMIN = 7300,
  A = 7301,
  B = 7302,
  CHAIR_A = 7303,
  CHAIR_OTHER = 7304,
  OFFICER = 7305;
const PHONE_A = "+6281277770001";
let req: RequestView;
let h: Harness;
let s1Id: string;
let s2Id: string;

beforeAll(async () => {
  const sentras = await twoSentras();
  const s1 = sentras.s1.id;
  const s2 = sentras.s2.id;
  s1Id = s1;
  s2Id = s2;
  const a = await testMember(A, s1, { phone: PHONE_A });
  await testMember(B, s2);
  await testMember(CHAIR_A, s1);
  await testMember(CHAIR_OTHER, s2);
  await setChairperson(s1, CHAIR_A, ADMIN, new Date());
  await setChairperson(s2, CHAIR_OTHER, ADMIN, new Date());
  await upsertOfficer({ telegramId: OFFICER, name: "Petugas Komang", handles: { types: [], kecamatan: [] } }, ADMIN, new Date());
  req = await testRequest(a, "kemasan");
});
beforeEach(() => {
  h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN) }));
});

type Cell = "sees" | "hidden";
const matrix: [string, number, { list: Cell; detail: Cell; recap: Cell; export: Cell | "sees-with-phone" }][] = [
  ["member A (owner)", A, { list: "sees", detail: "sees", recap: "hidden", export: "hidden" }],
  ["member B", B, { list: "hidden", detail: "hidden", recap: "hidden", export: "hidden" }],
  ["chairperson of A's sentra", CHAIR_A, { list: "sees", detail: "sees", recap: "hidden", export: "hidden" }],
  ["chairperson of another sentra", CHAIR_OTHER, { list: "hidden", detail: "hidden", recap: "hidden", export: "hidden" }],
  ["officer", OFFICER, { list: "sees", detail: "sees", recap: "sees", export: "sees" }],
  ["admin", ADMIN, { list: "sees", detail: "sees", recap: "sees", export: "sees-with-phone" }],
];

describe.each(matrix)("%s", (_who, id, cells) => {
  test(`list: ${cells.list}`, async () => {
    const u = h.user(id);
    // Members and chairpersons list with /status; officers and admins see the queue.
    await u.send(id === OFFICER || id === ADMIN ? "/antrian" : "/status");
    if (cells.list === "sees") expect(u.lastText()).toContain(req.code);
    else expect(u.lastText()).not.toContain(req.code);
  });

  test(`detail by code: ${cells.detail}`, async () => {
    const u = h.user(id);
    await u.send(`/status ${req.code}`);
    if (cells.detail === "sees") expect(u.lastText()).toMatch(inOrder(`<b>${req.code}</b>`, textOf("status.timeline")));
    else expect(u.lastText()).toBe(textOf("status.not_found", { code: req.code }));
  });

  test(`recap: ${cells.recap}`, async () => {
    const u = h.user(id);
    await u.send("/rekap");
    if (cells.recap === "sees") expect(u.lastText()).toMatch(templateRegex("reports.recap_title", { vars: { month: /[A-Za-z]+ \d{4}/, total: 1 } }));
    else expect(u.lastText()).toBe(textOf("unhandled.member"));
  });

  test(`export: ${cells.export}`, async () => {
    const u = h.user(id);
    await u.send("/ekspor csv");
    await u.send("/ekspor");
    const docs = h.telegram.callsOf("sendDocument", id);
    if (cells.export === "hidden") {
      expect(docs).toHaveLength(0);
      expect(u.lastText()).toBe(textOf("unhandled.member"));
      return;
    }
    expect(docs).toHaveLength(2);
    const csv = docs[0].files!.document.content.toString("utf8").replace(/^\ufeff/, "");
    const rows = parse(csv, { columns: true, delimiter: ";" }) as Record<string, string>[];
    expect(rows.map((r) => r.kode)).toEqual([req.code]);
    // The workbook follows the same rule.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(docs[1].files!.document.content as unknown as ExcelJS.Buffer);
    const sheet = JSON.stringify(wb.worksheets[0].getSheetValues());
    expect(sheet).toContain(req.code);
    if (cells.export === "sees-with-phone") {
      expect(rows[0].telepon).toBe(PHONE_A);
      expect(sheet).toContain(PHONE_A);
    } else {
      expect(Object.keys(rows[0])).not.toContain("telepon");
      expect(csv).not.toContain(PHONE_A);
      expect(sheet).not.toContain(PHONE_A);
    }
  });
});

/**
 * A chairperson of another sentra, with forged picks and pages (issue 27.6): nothing of sentra 1
 * shows, and the answers are the same as for a name or code that does not exist.
 */
describe("chairperson of another sentra: forged pages, picks and searches", () => {
  const secrets = () => [req.code, `Nama ${A}`, `Usaha ${A}`, `Nama ${CHAIR_A}`, "Sentra Satu"];
  const seenBy = (id: number) =>
    h.telegram.calls
      .filter((c) => Number(c.payload.chat_id) === id || c.method === "answerCallbackQuery")
      .map((c) => String(c.payload.text ?? ""))
      .join("\n");

  test("forged /status pages and detail show nothing of sentra 1", async () => {
    const u = h.user(CHAIR_OTHER);
    await u.send("/status");
    for (const data of ["st:s:0", "st:s:1", "st:s:9999", `st:s:0:${witaMonth(new Date()).replace("-", "")}`, "st:m:0"]) await u.press(data, { raw: true });
    for (const s of secrets()) expect(seenBy(CHAIR_OTHER)).not.toContain(s);
    // A forged detail button with the code: answered exactly as a code that does not exist.
    await u.press(`st:d:${req.code}`, { raw: true });
    expect(u.lastText()).toBe(textOf("status.not_found", { code: req.code }));
  });

  test("/anggota and /cari: nothing of sentra 1, and a name that exists is answered like one that does not", async () => {
    const u = h.user(CHAIR_OTHER);
    await u.send("/anggota");
    await u.send(`/cari Nama ${A}`);
    const existing = u.lastText();
    await u.send("/cari Nama 0000");
    expect(existing).toBe(u.lastText());
    for (const s of secrets()) expect(seenBy(CHAIR_OTHER)).not.toContain(s);
  });

  test("/laporkan lists only their sentra; a forged pick beyond the list is no pick", async () => {
    const u = h.user(CHAIR_OTHER);
    await u.send("/laporkan");
    await u.press(textOf("request.menu.kemasan"));
    expect(u.lastText()).toBe(textOf("request.on_behalf.ask_member"));
    await u.press("c:57", { raw: true, messageId: u.findButton(textOf("request.on_behalf.offline"))!.messageId });
    for (const s of secrets()) expect(seenBy(CHAIR_OTHER)).not.toContain(s);
    await u.send("/batal");
  });

  test("a member who moved to another sentra after the list was sent is not filed for by name", async () => {
    const u = h.user(CHAIR_A);
    await u.send("/laporkan");
    await u.press(textOf("request.menu.kemasan"));
    const button = u.findButton(`Nama ${A}`)!;
    await Member.updateOne({ telegramId: A }, { $set: { sentraId: new Types.ObjectId(s2Id) } });
    try {
      await u.press(button.data, { raw: true, messageId: button.messageId });
      // Asked for a typed name instead: A (now of Sentra Dua) is not named.
      expect(u.lastText()).toBe(textOf("request.on_behalf.ask_name"));
    } finally {
      await Member.updateOne({ telegramId: A }, { $set: { sentraId: new Types.ObjectId(s1Id) } });
      await u.send("/batal");
    }
  });
});
