/**
 * The request definitions as data: every text they name exists in both languages, every type has a
 * command and a menu button, and the helpers the dialogue relies on (products as buttons, numbers
 * as members type them, answers described for the summary) behave.
 */
import { REQUEST_DEFINITIONS, describeAnswers, formatNumber, parseNumber, productChoices, shortestPath } from "../src/domain/request-definitions";
import { REQUEST_TYPES } from "../src/vocabulary/request-types";
import { COMMAND_ACTIONS, MENU_ROWS, requestAction } from "../src/bot/keyboards/main-menu";
import { PRIVATE_COMMANDS } from "../src/bot/commands";
import { getI18n, tFor } from "../src/i18n";

test("every prompt, label and option of every definition exists in id and en; step keys are unique plain words", () => {
  const i18n = getI18n();
  for (const type of REQUEST_TYPES) {
    const def = REQUEST_DEFINITIONS[type];
    expect(def.type).toBe(type);
    const keys = [`labels.type.${type}`, `request.menu.${type}`, `commands.${def.command}`, `dialog.name.request_${type}`];
    for (const s of def.steps) {
      keys.push(s.prompt, s.label, ...(s.options ?? []).flatMap((o) => [o.label, ...(o.detail ? [o.detail.prompt] : [])]));
      expect(s.key).toMatch(/^[a-z][a-z_]*$/);
      if (s.kind === "choice" || s.kind === "multi") expect(Boolean(s.options?.length) || s.optionsFrom === "products").toBe(true);
    }
    expect(new Set(def.steps.map((s) => s.key)).size).toBe(def.steps.length);
    for (const k of keys) for (const lng of ["id", "en"]) expect([lng, k, i18n.exists(k, { lng })]).toEqual([lng, k, true]);
  }
});

test("each type has a command and a main-menu button that start it, and the command is listed for Telegram", () => {
  const menuActions = MENU_ROWS.flat().map((b) => b.action);
  for (const type of REQUEST_TYPES) {
    const command = REQUEST_DEFINITIONS[type].command;
    expect(COMMAND_ACTIONS[command]).toBe(requestAction(type));
    expect(menuActions).toContain(requestAction(type));
    expect(PRIVATE_COMMANDS).toContain(command);
  }
  // The requests are the first rows of the menu.
  expect(
    MENU_ROWS.slice(0, 3)
      .flat()
      .map((b) => b.action),
  ).toEqual(REQUEST_TYPES.map(requestAction));
});

test("registered products become buttons", () => {
  expect(productChoices("keripik bayam, kue potong dan jamu kunyit")).toEqual(["keripik bayam", "kue potong", "jamu kunyit"]);
  expect(productChoices("Pastel; pastel\ngipang / sengarit")).toEqual(["Pastel", "gipang", "sengarit"]);
  expect(productChoices("")).toEqual([]);
  expect(productChoices(undefined)).toEqual([]);
  expect(productChoices("x".repeat(41))).toEqual([]);
  expect(productChoices(Array.from({ length: 12 }, (_, i) => `p${i}`).join(","))).toHaveLength(8);
});

test("numbers as members type them", () => {
  const cases: [string, number | undefined][] = [
    ["5 juta", 5_000_000],
    ["5jt", 5_000_000],
    ["2,5 juta", 2_500_000],
    ["2.5 juta", 2_500_000],
    ["Rp 2.500.000", 2_500_000],
    ["rp2,500,000", 2_500_000],
    ["750rb", 750_000],
    ["750 ribu", 750_000],
    ["1 miliar", 1_000_000_000],
    ["15000000", 15_000_000],
    ["banyak", undefined],
    ["", undefined],
    ["5 juta 300 ribu", undefined],
    ["-5", undefined],
  ];
  for (const [typed, value] of cases) expect([typed, parseNumber(typed, "rupiah")]).toEqual([typed, value]);
  expect(parseNumber("12", "count")).toBe(12);
  expect(parseNumber("12 orang", "count")).toBe(12);
  expect(parseNumber("1,5", "count")).toBeUndefined();
  expect(parseNumber("2 ribu", "count")).toBeUndefined();
  expect(formatNumber(2_500_000, "rupiah")).toBe("Rp2.500.000");
  expect(formatNumber(1234, "count")).toBe("1.234");
});

test("answers described for the summary, in either language", () => {
  const def = REQUEST_DEFINITIONS.produksi;
  const answers = { category: "lainnya", category_detail: "Listrik padam", product: "kue potong", urgency: "terganggu_baru" };
  const attachments = [
    { kind: "photo" as const, field: "photos" },
    { kind: "photo" as const, field: "photos" },
    { kind: "voice" as const, field: "description", duration: 14 },
  ];
  expect(describeAnswers(def, answers, attachments, tFor("id")).map((l) => `${l.label}: ${l.value}`)).toEqual([
    "Jenis kendala: Lainnya: Listrik padam",
    "Produk: kue potong",
    "Foto: 2 foto",
    "Keterangan: 🎤 pesan suara (14 detik)",
    "Keadaan produksi: 🟠 Terganggu, baru minggu ini",
  ]);
  expect(describeAnswers(def, { ...answers, urgency: "berhenti_lama" }, [], tFor("en")).map((l) => l.value)).toEqual([
    "Other: Listrik padam",
    "kue potong",
    "—",
    "—",
    "🔴 Stopped for a while",
  ]);
});

test("a request saved before the urgency question still shows its 'since' and 'stopped' answers", () => {
  const def = REQUEST_DEFINITIONS.produksi;
  const old = { category: "bahan_baku", product: "kue potong", description: "Minyak langka", since: "hari_ini", stopped: false };
  const lines = describeAnswers(def, old, [], tFor("id")).map((l) => `${l.label}: ${l.value}`);
  expect(lines.slice(-3)).toEqual(["Keadaan produksi: —", "Sejak: Hari ini", "Produksi berhenti: Tidak"]);
  // A new request shows no line for the retired questions.
  const { since: _since, stopped: _stopped, ...current } = old;
  expect(describeAnswers(def, { ...current, urgency: "berhenti_baru" }, [], tFor("id")).map((l) => l.key)).toEqual(["category", "product", "photos", "description", "urgency"]);
});

test("shortest paths from the definitions (the figures the path test checks through the bot)", () => {
  expect(shortestPath(REQUEST_DEFINITIONS.produksi)).toEqual({ taps: 5, typed: 1, photoTaps: 1, photos: 0 });
  expect(shortestPath(REQUEST_DEFINITIONS.kemasan)).toEqual({ taps: 6, typed: 0, photoTaps: 1, photos: 0 });
  expect(shortestPath(REQUEST_DEFINITIONS.pemasaran)).toEqual({ taps: 8, typed: 0, photoTaps: 0, photos: 0 });
  expect(shortestPath(REQUEST_DEFINITIONS.modal)).toEqual({ taps: 5, typed: 1, photoTaps: 0, photos: 0 });
  expect(shortestPath(REQUEST_DEFINITIONS.pelatihan)).toEqual({ taps: 5, typed: 0, photoTaps: 0, photos: 0 });
});
