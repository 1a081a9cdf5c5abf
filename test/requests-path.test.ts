/**
 * Member effort, measured: every request type walked on its shortest path through the real bot,
 * counting taps and typed answers, compared with what the definitions promise. Target of issue 3:
 * Kendala produksi in at most 6 taps plus 1 typed answer, photos aside.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { RecordingHarness, registeredMember, walkShortestPath, type PathCount } from "./helpers/requests";
import { REQUEST_DEFINITIONS, shortestPath } from "../src/domain/request-definitions";
import { REQUEST_TYPES, type RequestType } from "../src/domain/request-types";
import { Request } from "../src/db/models/request";

useTestDatabase();

beforeAll(async () => {
  await clearDatabase();
});

test("the shortest path of every type, counted through the bot, matches the definitions; Kendala produksi meets the target", async () => {
  const h = new RecordingHarness();
  const figures: Record<string, PathCount> = {};
  for (const [i, type] of REQUEST_TYPES.entries()) {
    const u = h.user(7100 + i);
    await registeredMember(u.id);
    const walked = await walkShortestPath(u, type);
    const { code, ...counted } = walked;
    expect(counted).toEqual(shortestPath(REQUEST_DEFINITIONS[type]));
    figures[type] = counted;
    const saved = await Request.findOne({ code }).lean();
    expect(saved).toMatchObject({ type, memberTelegramId: u.id, status: "diterima" });
  }
  const table = Object.entries(figures)
    .map(([type, c]) => `${type.padEnd(10)} taps ${c.taps}  typed ${c.typed}  photo-step taps ${c.photoTaps}  photos ${c.photos}`)
    .join("\n");
  process.stdout.write(`\n[request effort, shortest path from the main menu to Kirim]\n${table}\n`);
  const produksi = figures.produksi as PathCount;
  expect(produksi.taps).toBeLessThanOrEqual(6);
  expect(produksi.typed).toBeLessThanOrEqual(1);
  expect(Object.keys(figures).sort()).toEqual([...REQUEST_TYPES].sort() as RequestType[]);
});
