import { parse } from "csv-parse/sync";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, testConfig } from "./helpers/harness";
import { seedSentras, listSentras } from "../src/domain/sentras";
import { registerMember } from "../src/domain/members";
import { createRequest } from "../src/domain/requests";
import { monthName, witaMonth } from "../src/lib/time";
import { upsertOfficer } from "../src/domain/officers";
import { Request } from "../src/db/models/request";
import { createLogger } from "../src/logger";
import { LIST_LIMIT } from "../src/bot/features/reports";
import { escapeRegex, templateRegex, textOf } from "./helpers/localeText";
import ExcelJS from "exceljs";

/** The first sheet of a workbook as rows of values. */
async function workbookRows(content: Buffer): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(content as unknown as ExcelJS.Buffer);
  const out: unknown[][] = [];
  wb.worksheets[0].eachRow((row) => out.push((row.values as unknown[]).slice(1)));
  return out;
}

useTestDatabase();

const ADMIN = 7200;
const MEMBER = 7201;
const OFFICER = 7202;
const GROUP = -1007200000001; // the officers' group
const OTHER_GROUP = -1007200000002; // some other group the bot is in
let h: Harness;

/** A harness with the officers' group linked, whose log lines are kept. */
function withLog() {
  const lines: { msg: string; command?: string }[] = [];
  const logger = createLogger({ logLevel: "debug", nodeEnv: "test" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const harness = new Harness(testConfig({ ADMIN_IDS: String(ADMIN), OFFICER_GROUP_ID: String(GROUP) }), logger);
  return { harness, lines };
}

beforeAll(async () => {
  await clearDatabase();
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
  const [s] = await listSentras();
  const m = await registerMember(
    MEMBER,
    { name: "Wayan", phone: "+6281299990000", businessName: "Kue Wayan", products: "kue", kecamatan: "Mengwi", sentraId: s.id, sentraWish: null },
    new Date(),
  );
  await upsertOfficer({ telegramId: OFFICER, name: "Petugas Komang", handles: { types: [], kecamatan: [] } }, ADMIN, new Date());
  for (let i = 0; i < 3; i++) {
    await createRequest({
      sla: SLA_DEFAULTS,
      type: i ? "modal" : "produksi",
      member: { id: m.id, telegramId: MEMBER, sentraId: s.id, kecamatan: "Mengwi" },
      answers: { need: `n${i}` },
      attachments: [],
      sourceKey: `rep-${i}`,
      now: new Date(),
    });
  }
});
beforeEach(() => {
  h = new Harness(testConfig({ ADMIN_IDS: String(ADMIN) }));
});

test("/rekap for this month (default) counts by type, sentra and kecamatan", async () => {
  const admin = h.user(ADMIN);
  await admin.send("/rekap");
  const text = admin.lastText();
  expect(text).toContain(textOf("reports.recap_title", { month: monthName(witaMonth(new Date())), total: 3 }));
  expect(text).toContain(`<b>${textOf("labels.type.modal")}</b>: 2`);
  expect(text).toMatch(/Sentra IKM Amerta Jaya: 3/);
  expect(text).toMatch(/Mengwi: 3/);
});

test("bad months are explained; members get the unknown-command answer", async () => {
  const admin = h.user(ADMIN);
  await admin.send("/rekap 2026-13");
  expect(admin.lastText()).toBe(textOf("reports.bad_month_format"));
  await admin.send("/rekap 2999-01");
  expect(admin.lastText()).toBe(textOf("reports.bad_month_future"));
  await admin.send("/ekspor nov");
  expect(admin.lastText()).toBe(textOf("reports.bad_month_format"));
  const member = h.user(MEMBER);
  for (const cmd of ["/rekap", "/ekspor", "/antrian", "/tugasku"]) {
    await member.send(cmd);
    expect(member.lastText()).toBe(textOf("unhandled.member"));
  }
  expect(h.telegram.callsOf("sendDocument")).toHaveLength(0);
});

test("/ekspor sends the month as an Excel workbook; an admin's includes phones", async () => {
  const admin = h.user(ADMIN);
  await admin.send("/ekspor");
  const doc = h.telegram.callsOf("sendDocument", ADMIN)[0];
  expect(doc.files!.document.filename).toBe(`aspirasi-ikm-${witaMonth(new Date())}.xlsx`);
  const [header, ...rows] = await workbookRows(doc.files!.document.content);
  expect(rows).toHaveLength(3);
  const phone = header.indexOf(textOf("reports.columns.telepon"));
  expect(rows.every((r) => r[phone] === "+6281299990000")).toBe(true);
  expect(String(doc.payload.caption)).toBe(textOf("reports.export_caption_admin", { month: witaMonth(new Date()), rows: 3 }));
});

test("/ekspor csv [YYYY-MM] sends the CSV: `;` between cells and a BOM", async () => {
  const admin = h.user(ADMIN);
  const month = witaMonth(new Date());
  for (const command of ["/ekspor csv", `/ekspor CSV ${month}`]) {
    h.telegram.reset();
    await admin.send(command);
    const doc = h.telegram.callsOf("sendDocument", ADMIN)[0];
    expect(doc.files!.document.filename).toBe(`aspirasi-ikm-${month}.csv`);
    const text = doc.files!.document.content.toString("utf8");
    expect(text.startsWith("\ufeffkode;")).toBe(true);
    const rows = parse(text.slice(1), { columns: true, delimiter: ";" }) as Record<string, string>[];
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.telepon === "+6281299990000")).toBe(true);
  }
  await admin.send("/ekspor csv 2026-13");
  expect(admin.lastText()).toBe(textOf("reports.bad_month_format"));
});

test("an export Telegram refuses: the sender is told to try again", async () => {
  const admin = h.user(ADMIN);
  h.telegram.fail("sendDocument", { kind: "http", error_code: 413, description: "Request Entity Too Large" });
  await admin.send("/ekspor");
  expect(admin.lastText()).toBe(textOf("reports.export_failed"));
});

test("/antrian lists the unclaimed requests oldest first with their waiting time", async () => {
  const admin = h.user(ADMIN);
  await admin.send("/antrian");
  expect(admin.lastText()).toContain(textOf("reports.queue_title", { total: 3 }));
  expect(admin.lastText()).toMatch(templateRegex("reports.waiting"));
  await admin.send("/tugasku");
  expect(admin.lastText()).toContain(textOf("reports.tasks_empty"));
});

describe("where staff commands are answered", () => {
  test("an admin's /ekspor in the officers' group has no phone column and no phone numbers", async () => {
    const { harness } = withLog();
    const admin = harness.inGroup(GROUP, ADMIN);
    await admin.send("/ekspor csv");
    const doc = harness.telegram.callsOf("sendDocument", GROUP)[0];
    const csv = doc.files!.document.content.toString("utf8").replace(/^\ufeff/, "");
    const rows = parse(csv, { columns: true, delimiter: ";" }) as Record<string, string>[];
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[0])).not.toContain("telepon");
    expect(csv).not.toContain("6281299990000");
    expect(String(doc.payload.caption)).toBe(textOf("reports.export_caption", { month: witaMonth(new Date()), rows: 3 }));

    await admin.send("/ekspor");
    const book = harness.telegram.callsOf("sendDocument", GROUP)[1];
    expect(book.files!.document.filename).toMatch(/\.xlsx$/);
    const [header, ...bookRows] = await workbookRows(book.files!.document.content);
    expect(bookRows).toHaveLength(3);
    expect(header).not.toContain(textOf("reports.columns.telepon"));
    expect(JSON.stringify(bookRows)).not.toContain("6281299990000");
  });

  test("officers' commands work in the officers' group", async () => {
    const { harness } = withLog();
    const officer = harness.inGroup(GROUP, OFFICER);
    await officer.send("/antrian");
    expect(officer.lastText()).toContain(textOf("reports.queue_title", { total: 3 }));
    await officer.send("/rekap");
    expect(officer.lastText()).toMatch(templateRegex("reports.recap_title", { vars: { total: /\d+/ } }));
  });

  test("in any other group staff commands run nothing: staff are told why and what to do (and it is logged)", async () => {
    const { harness, lines } = withLog();
    const admin = harness.inGroup(OTHER_GROUP, ADMIN);
    const officer = harness.inGroup(OTHER_GROUP, OFFICER);
    const calls = [
      ...(await admin.send("/rekap")),
      ...(await admin.send("/ekspor")),
      ...(await officer.send("/antrian")),
      ...(await officer.send("/tugasku")),
      // The officers' names, ids and duties: not for another group either, from an admin or not.
      ...(await admin.send("/petugas")),
      ...(await officer.send("/petugas")),
    ];
    // One short answer each, without any list, name or figure: the admin may link the group, the officer asks an admin.
    const admins = textOf("officer.place.admin");
    const officers = textOf("officer.place.officer");
    expect(calls.map((c) => [c.method, c.payload.chat_id, c.payload.text])).toEqual([
      ["sendMessage", OTHER_GROUP, admins],
      ["sendMessage", OTHER_GROUP, admins],
      ["sendMessage", OTHER_GROUP, officers],
      ["sendMessage", OTHER_GROUP, officers],
      ["sendMessage", OTHER_GROUP, admins],
      ["sendMessage", OTHER_GROUP, officers],
    ]);
    expect(lines.filter((l) => l.msg === "officer command ignored: not the officers' group").map((l) => l.command)).toEqual([
      "rekap",
      "ekspor",
      "antrian",
      "tugasku",
      "petugas",
      "petugas",
    ]);
  });

  test("only staff commands from others are logged as refused, not every unknown command", async () => {
    const { harness, lines } = withLog();
    const member = harness.user(MEMBER);
    await member.send("/foo");
    await member.send("/rekap");
    expect(member.lastText()).toBe(textOf("unhandled.member"));
    expect(lines.filter((l) => l.msg === "officer command refused").map((l) => l.command)).toEqual(["rekap"]);
  });
});

describe("long lists", () => {
  beforeAll(async () => {
    const [r] = await Request.find().limit(1).lean();
    for (let i = 0; i < LIST_LIMIT + 4; i++) {
      await createRequest({
        sla: SLA_DEFAULTS,
        type: "modal",
        member: { id: String(r.memberId), telegramId: MEMBER, sentraId: String(r.sentraId), kecamatan: "Mengwi" },
        answers: { need: `x${i}` },
        attachments: [],
        sourceKey: `rep-long-${i}`,
        now: new Date(),
      });
    }
    // Half of the new ones are the officer's tasks.
    const mine = await Request.find({ sourceKey: /^rep-long-/ })
      .sort({ createdAt: 1 })
      .limit(LIST_LIMIT + 2)
      .lean();
    await Request.updateMany({ _id: { $in: mine.map((d) => d._id) } }, { $set: { assigneeTelegramId: OFFICER } });
  });

  test("/antrian and /tugasku say how many more there are beyond the first ones", async () => {
    const officer = h.user(OFFICER);
    await officer.send("/antrian");
    // 3 + 19 requests, 17 of them taken by the officer: 5 unclaimed, all shown.
    expect(officer.lastText()).toContain(textOf("reports.queue_title", { total: 5 }));
    expect(officer.lastText()).not.toMatch(templateRegex("reports.more"));
    await officer.send("/tugasku");
    const text = officer.lastText();
    expect(text).toContain(textOf("reports.tasks_title", { total: 17 }));
    expect(text.match(/[A-Z]{3}-\d{4}-\d{3}/g)).toHaveLength(LIST_LIMIT);
    expect(text).toMatch(new RegExp(`${escapeRegex(textOf("reports.more", { n: 2 }))}$`));
    await Request.updateMany({ assigneeTelegramId: OFFICER }, { $set: { assigneeTelegramId: null } });
    await officer.send("/antrian");
    expect(officer.lastText()).toContain(textOf("reports.queue_title", { total: 22 }));
    expect(officer.lastText()).toMatch(new RegExp(`${escapeRegex(textOf("reports.more", { n: 7 }))}$`));
  });
});
