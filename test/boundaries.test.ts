/**
 * The layers of docs/ARCHITECTURE.md ("Layers and who may import whom"), enforced from the table itself:
 * every file under src belongs to a row, and imports only what its row allows. Also: src/domain writes
 * no Bot API payload or callback string, and no module imports itself through a cycle.
 */
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const SRC = path.join(ROOT, "src");

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? filesUnder(p) : p.endsWith(".ts") ? [p] : [];
  });
}

interface Import {
  spec: string;
  typeOnly: boolean;
}

/** The imports and re-exports of a file (type-only ones too: they couple just the same, but a row may allow only them). */
function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(import|export)\s([^;]*?)from\s+"([^"]+)"/gms)].map((m) => {
    const clause = m[2].trim();
    const braces = /^\{([^}]*)\}$/s.exec(clause);
    const typeOnly =
      clause.startsWith("type ") ||
      (braces !== null &&
        braces[1]
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
          .every((s) => s.startsWith("type ")));
    return { spec: m[3], typeOnly };
  });
}

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, "index.ts")]) if (fs.existsSync(candidate)) return candidate;
  return null;
}

/** The row a file belongs to: its folder under src, or the top-level file's name without `.ts`. */
function moduleOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length > 1 ? rel[0] : rel[0].replace(/\.ts$/, "");
}

interface Row {
  may: Map<string, "any" | "types">;
  everything: boolean;
}

/** The layers table, read from docs/ARCHITECTURE.md. */
function layersTable(): Map<string, Row> {
  const doc = fs.readFileSync(path.join(ROOT, "docs", "ARCHITECTURE.md"), "utf8");
  const section = doc.split(/^## /m).find((s) => s.startsWith("Layers and who may import whom"));
  if (!section) throw new Error('docs/ARCHITECTURE.md has no section "Layers and who may import whom"');
  const rows = new Map<string, Row>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const name = /^`src\/([\w-]+?)(?:\.ts)?`$/.exec(cells[1] ?? "");
    if (!line.startsWith("|") || !name || cells.length < 5) continue;
    const last = cells[3];
    const may = new Map<string, "any" | "types">();
    for (const m of last.matchAll(/`([\w-]+)`(\s*\(types\))?/g)) may.set(m[1], m[2] ? "types" : "any");
    rows.set(name[1], { may, everything: last === "everything" });
  }
  return rows;
}

const files = filesUnder(SRC);
const table = layersTable();

test("the layers table names the modules the source has", () => {
  expect(table.size).toBeGreaterThanOrEqual(10);
  for (const name of ["domain", "db", "telegram", "bot", "vocabulary", "main"]) expect(table.has(name)).toBe(true);
  const uncovered = [...new Set(files.map(moduleOf))].filter((m) => !table.has(m));
  expect(uncovered).toEqual([]);
  // A row naming a module that does not exist is a typo that would allow nothing.
  const known = new Set([...files.map(moduleOf), "grammy"]);
  const unknown = [...table.values()].flatMap((r) => [...r.may.keys()]).filter((m) => !known.has(m));
  expect(unknown).toEqual([]);
});

test("every import crosses layers only where docs/ARCHITECTURE.md's table allows it", () => {
  const offending: string[] = [];
  let crossing = 0;
  for (const file of files) {
    const from = moduleOf(file);
    const row = table.get(from);
    if (!row || row.everything) continue;
    for (const imp of importsOf(file)) {
      const target = resolve(file, imp.spec);
      const to = target ? moduleOf(target) : /^(grammy|@grammyjs\/)/.test(imp.spec) ? "grammy" : null;
      if (to === null || to === from) continue;
      crossing++;
      const allowed = row.may.get(to);
      if (!allowed || (allowed === "types" && !imp.typeOnly)) offending.push(`${path.relative(SRC, file)} -> ${imp.spec}${allowed ? " (types only allowed)" : ""}`);
    }
  }
  expect(crossing).toBeGreaterThan(100);
  expect(offending).toEqual([]);
});

test("the check catches a forbidden import (a db model importing the domain)", () => {
  const row = table.get("db");
  expect(row?.may.has("domain")).toBe(false);
  expect(table.get("domain")?.may.has("grammy")).toBe(false);
  expect(table.get("domain")?.may.has("telegram")).toBe(false);
  expect(table.get("reports")?.may.has("grammy")).toBe(false);
});

test("no file in src/domain builds a Bot API payload or a callback string", () => {
  const telegramWords =
    /callback_data|reply_markup|inline_keyboard|force_reply|reply_parameters|parse_mode|"send(Message|Photo|Voice|MediaGroup)"|"editMessageText"|`(oc|ans|vm|ka|cf|pv|st):/;
  const offending = filesUnder(path.join(SRC, "domain")).flatMap((file) =>
    fs
      .readFileSync(file, "utf8")
      .split("\n")
      .map((line, i) => ({ line, i }))
      .filter(({ line }) => !/^\s*(\*|\/\/)/.test(line) && telegramWords.test(line))
      .map(({ line, i }) => `${path.relative(SRC, file)}:${i + 1}: ${line.trim()}`),
  );
  expect(offending).toEqual([]);
});

test("no import cycle in src/", () => {
  const files = filesUnder(SRC);
  const graph = new Map(
    files.map((f) => [
      f,
      importsOf(f)
        .map((s) => resolve(f, s.spec))
        .filter((x): x is string => x !== null),
    ]),
  );
  const cycles: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, "visiting");
    stack.push(f);
    for (const next of graph.get(f) ?? []) {
      if (state.get(next) === "visiting") cycles.push([...stack.slice(stack.indexOf(next)), next].map((x) => path.relative(SRC, x)).join(" -> "));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of files) if (!state.has(f)) visit(f);
  expect(cycles).toEqual([]);
});

/** A Markdown file's headings, without the emphasis marks. */
function headings(doc: string): string[] {
  return [...fs.readFileSync(doc, "utf8").matchAll(/^#+ (.+)$/gm)].map((m) => m[1].replace(/[*_`]/g, "").trim());
}

test("every document a source comment cites is in the repository, with the section it names", () => {
  const missing: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:^|[\s(])([\w./-]+\.md)\b(?:, "([^"]+)")?/g)) {
      const doc = path.join(ROOT, m[1]);
      if (!fs.existsSync(doc)) missing.push(`${path.relative(SRC, file)} cites ${m[1]}`);
      else if (m[2] && !headings(doc).includes(m[2])) missing.push(`${path.relative(SRC, file)} cites ${m[1]}, "${m[2]}"`);
    }
  }
  expect(missing).toEqual([]);
});
