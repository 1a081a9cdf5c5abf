/**
 * Features import downward only (issue 23.8): a file under src/bot/features never imports another
 * feature; what several features share lives in src/bot/actions, src/telegram or the domain.
 * (A feature made of a folder, e.g. features/admin/, may import its own parts.)
 */
import fs from "node:fs";
import path from "node:path";

const FEATURES = path.resolve(__dirname, "..", "src", "bot", "features");

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

/** The feature a file belongs to: its first path part under features/ (a file, or a folder). */
const featureOf = (file: string) => path.relative(FEATURES, file).split(path.sep)[0].replace(/\.ts$/, "");

test("no feature imports another feature", () => {
  const found: string[] = [];
  for (const file of files(FEATURES)) {
    const source = fs.readFileSync(file, "utf8");
    for (const m of source.matchAll(/from "(\.[^"]+)"/g)) {
      const target = path.resolve(path.dirname(file), m[1]);
      if (!target.startsWith(FEATURES + path.sep)) continue;
      if (featureOf(target) !== featureOf(file)) found.push(`${path.relative(FEATURES, file)} → ${m[1]}`);
    }
  }
  expect(found).toEqual([]);
  expect(files(FEATURES).length).toBeGreaterThan(5);
});
