/**
 * The layers the README and docs/ARCHITECTURE.md describe: src/domain knows nothing of Telegram
 * (no grammY, no Bot API payloads, no callback strings; src/telegram writes those), neither does
 * src/reports (the monthly report's files, for the bot and a scheduled job alike), and no module
 * imports itself through a cycle.
 */
import fs from "node:fs";
import path from "node:path";

const SRC = path.resolve(__dirname, "..", "src");

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? filesUnder(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The relative or package imports of a file (type-only imports included: they couple just the same). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]);
}

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, "index.ts")]) if (fs.existsSync(candidate)) return candidate;
  return null;
}

const domainFiles = filesUnder(path.join(SRC, "domain"));

test("src/domain imports nothing from grammY, the bot, the Telegram layer or delivery", () => {
  expect(domainFiles.length).toBeGreaterThan(10);
  const offending: string[] = [];
  for (const file of domainFiles) {
    for (const spec of importsOf(file)) {
      const target = resolve(file, spec);
      const rel = target ? path.relative(SRC, target) : spec;
      if (/^(grammy|@grammyjs\/)/.test(spec) || /^(bot|telegram|delivery|server)\//.test(rel)) offending.push(`${path.relative(SRC, file)} -> ${spec}`);
    }
  }
  expect(offending).toEqual([]);
});

test("src/reports (pictures, workbook) imports nothing from grammY, the bot, the Telegram layer or delivery", () => {
  const files = filesUnder(path.join(SRC, "reports"));
  expect(files.length).toBeGreaterThan(3);
  const offending = files.flatMap((file) =>
    importsOf(file)
      .filter((spec) => {
        const target = resolve(file, spec);
        const rel = target ? path.relative(SRC, target) : spec;
        return /^(grammy|@grammyjs\/)/.test(spec) || /^(bot|telegram|delivery|server)\//.test(rel);
      })
      .map((spec) => `${path.relative(SRC, file)} -> ${spec}`),
  );
  expect(offending).toEqual([]);
});

test("no file in src/domain builds a Bot API payload or a callback string", () => {
  const telegramWords =
    /callback_data|reply_markup|inline_keyboard|force_reply|reply_parameters|parse_mode|"send(Message|Photo|Voice|MediaGroup)"|"editMessageText"|`(oc|ans|vm|ka|cf|pv|st):/;
  const offending = domainFiles.flatMap((file) =>
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
        .map((s) => resolve(f, s))
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
