/**
 * locales/id and locales/en: exactly the same keys, no empty values, the same {{placeholders}},
 * Indonesian plurals only as _other, Telegram-valid HTML (everything is sent with parse_mode HTML),
 * and every literal key the code asks for exists.
 */
import fs from "node:fs";
import path from "node:path";
import { loadLocaleResources, tFor, getI18n } from "../src/i18n";

const resources = loadLocaleResources();

function flatten(obj: unknown, prefix = ""): Record<string, unknown> {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return { [prefix]: obj };
  return Object.assign({}, ...Object.entries(obj as Record<string, unknown>).map(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k)));
}

const id = flatten(resources.id);
const en = flatten(resources.en);
const PLURAL = /_(zero|one|two|few|many|other)$/;

test("both languages have the same files", () => {
  const files = (lng: string) => fs.readdirSync(path.resolve(__dirname, "..", "locales", lng)).sort();
  expect(files("en")).toEqual(files("id"));
});

test("id and en have exactly the same keys (English plural forms aside)", () => {
  // English may need _one next to _other; Indonesian has only _other. Compare the base keys.
  const base = (keys: string[]) => [...new Set(keys.map((k) => k.replace(PLURAL, "")))].sort();
  expect(base(Object.keys(en))).toEqual(base(Object.keys(id)));
  const missingInEn = Object.keys(id).filter((k) => !(k in en));
  expect(missingInEn).toEqual([]);
  const onlyInEn = Object.keys(en).filter((k) => !(k in id) && !(/_one$/.test(k) && `${k.replace(/_one$/, "")}_other` in id));
  expect(onlyInEn).toEqual([]);
});

test("no value is empty or anything but a string", () => {
  for (const [lng, flat] of [
    ["id", id],
    ["en", en],
  ] as const) {
    const bad = Object.entries(flat).filter(([, v]) => typeof v !== "string" || v.trim() === "");
    expect({ lng, bad }).toEqual({ lng, bad: [] });
  }
});

test("Indonesian plurals use only _other", () => {
  // A plural family is a key with an _other form; Indonesian must not have its other forms.
  const families = Object.keys({ ...id, ...en })
    .filter((k) => k.endsWith("_other"))
    .map((k) => k.slice(0, -"_other".length));
  const extra = Object.keys(id).filter((k) => PLURAL.test(k) && !k.endsWith("_other") && families.includes(k.replace(PLURAL, "")));
  expect(extra).toEqual([]);
  // And every English plural family has its _other form in Indonesian.
  expect(families.filter((f) => !(`${f}_other` in id))).toEqual([]);
});

test("each key has the same {{placeholders}} in both languages", () => {
  const names = (v: unknown) => [...new Set([...String(v).matchAll(/{{\s*([\w.]+)[^}]*}}/g)].map((m) => m[1]))].sort();
  const differ = Object.keys(id)
    .filter((k) => k in en)
    .filter((k) => JSON.stringify(names(id[k])) !== JSON.stringify(names(en[k])))
    .map((k) => ({ key: k, id: names(id[k]), en: names(en[k]) }));
  expect(differ).toEqual([]);
});

test("the texts are valid Telegram HTML: known tags, balanced, & only as an entity", () => {
  const TAGS = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler", "blockquote", "span"]);
  const problems: string[] = [];
  for (const [lng, flat] of [
    ["id", id],
    ["en", en],
  ] as const) {
    for (const [key, value] of Object.entries(flat)) {
      const text = String(value).replace(/{{[^}]*}}/g, "");
      const stack: string[] = [];
      for (const m of text.matchAll(/<(\/?)([a-z-]+)[^>]*>|<|>/g)) {
        if (!m[2]) {
          problems.push(`${lng}:${key}: a bare "${m[0]}" (write &lt; or &gt;)`);
          continue;
        }
        if (!TAGS.has(m[2])) problems.push(`${lng}:${key}: <${m[2]}> is not a Telegram tag`);
        if (m[1]) {
          if (stack.pop() !== m[2]) problems.push(`${lng}:${key}: </${m[2]}> closes nothing`);
        } else stack.push(m[2]);
      }
      if (stack.length) problems.push(`${lng}:${key}: <${stack.join(">, <")}> not closed`);
      for (const m of text.matchAll(/&(?!(amp|lt|gt|quot|#\d+);)/g)) problems.push(`${lng}:${key}: bare & at ${m.index}`);
    }
  }
  expect(problems).toEqual([]);
});

test("every literal key the code asks for exists in both languages", () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.endsWith(".ts")) files.push(p);
    }
  };
  walk(path.resolve(__dirname, "..", "src"));
  const missing: string[] = [];
  let found = 0;
  for (const file of files) {
    const source = fs.readFileSync(file, "utf8");
    // t("area.key"), ctx.t("area.key", …), key: "area.key" as in MENU_ROWS
    for (const m of source.matchAll(/\b(?:t|key)\s*[(:]\s*"([a-z_]+\.[a-z0-9_.]+)"/g)) {
      found++;
      for (const [lng, flat] of [
        ["id", id],
        ["en", en],
      ] as const) {
        const exists = m[1] in flat || `${m[1]}_other` in flat;
        if (!exists) missing.push(`${lng}: ${m[1]} (${path.relative(process.cwd(), file)})`);
      }
    }
  }
  expect(found).toBeGreaterThan(30);
  expect(missing).toEqual([]);
});

test("texts are answered from memory the same as i18next answers them, with and without values", () => {
  const t = tFor("id");
  const i18n = getI18n();
  for (const args of [
    ["dialog.photo_received", { count: 2, max: 5 }],
    ["request.intro", { type: "Kendala produksi", count: 6 }],
    ["menu.help"],
    ["request.sent", { type: "<b>", noun: "laporan", Noun: "Laporan", code: "PRD-2611-001" }],
  ] as const) {
    const direct = i18n.getFixedT("id")(...(args as unknown as [string]));
    expect(t(...(args as unknown as [string]))).toBe(direct);
    expect(t(...(args as unknown as [string]))).toBe(direct);
  }
  // Another count, another text.
  expect(t("dialog.photos_saved", { count: 1 })).not.toBe(t("dialog.photos_saved", { count: 3 }));
});

test("English counts read as English (one photo, two photos); Indonesian has one form", () => {
  const en = tFor("en");
  const id = tFor("id");
  expect(en("dialog.photos_saved", { count: 1 })).toBe("1 photo saved");
  expect(en("dialog.photos_saved", { count: 3 })).toBe("3 photos saved");
  expect(en("request.photo_count", { count: 1 })).toBe("1 photo");
  expect(en("dialog.photos_finish", { count: 2 })).toBe("✅ Done (2 photos)");
  // Indonesian: the same words for one and for several.
  expect(id("dialog.photos_saved", { count: 1 })).toBe(id("dialog.photos_saved", { count: 2 }).replace("2", "1"));
  for (const n of [1, 4]) expect(en("dialog.photo_received", { count: n, max: 5 })).not.toContain("(s)");
});
