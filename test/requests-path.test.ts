/**
 * Member effort, measured: every request type walked on its shortest path through the real bot,
 * counting taps and typed answers, compared with what the definitions promise. Target (issue 12):
 * Kendala produksi in at most 6 taps plus 1 typed answer on the natural path, counting the menu
 * button, "Lewati" at the photo step and "Kirim".
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { RecordingHarness, registeredMember, walkShortestPath, type PathCount } from "./helpers/requests";
import { REQUEST_DEFINITIONS, shortestPath } from "../src/domain/request-definitions";
import { REQUEST_TYPES, type RequestType } from "../src/vocabulary/request-types";
import { Request } from "../src/db/models/request";
import { tFor } from "../src/i18n";

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
  expect(produksi.taps + produksi.photoTaps).toBeLessThanOrEqual(6);
  expect(produksi.typed).toBeLessThanOrEqual(1);
  expect(Object.keys(figures).sort()).toEqual([...REQUEST_TYPES].sort() as RequestType[]);
});

test("a member with one registered product is not asked which product: 5 taps + 1 typed, the product in the summary and the request", async () => {
  const t = tFor("id");
  const h = new RecordingHarness();
  const u = h.user(7190);
  await registeredMember(u.id, { products: "keripik singkong" });
  let taps = 0;
  const tap = (label: string) => {
    taps++;
    return u.press(label);
  };
  taps++;
  await u.send(t("request.menu.produksi"));
  await tap(t("request.opt.bahan_baku"));
  // Straight to the photos: no product question.
  expect(u.lastText()).toBe(t("request.produksi.photos"));
  await tap(t("dialog.skip"));
  await u.send("Singkong sulit didapat minggu ini.");
  await tap(t("request.opt.terganggu_baru"));
  expect(u.lastText()).toContain(`${t("request.produksi.product_label")}:</b> keripik singkong`);
  await tap(t("request.send"));
  expect(taps).toBe(5);
  const saved = await Request.findOne({ memberTelegramId: u.id }).lean();
  expect(saved!.answers).toEqual({ category: "bahan_baku", product: "keripik singkong", description: "Singkong sulit didapat minggu ini.", urgency: "terganggu_baru" });
  // Ubah of the product still offers the one product and "Produk lain".
  await u.send(t("request.menu.produksi"));
  await u.press(t("request.opt.mutu"));
  await u.press(t("dialog.skip"));
  await u.send("Keripik cepat melempem.");
  await u.press(t("request.opt.terganggu_lama"));
  await u.press(t("request.edit"));
  await u.press(t("request.produksi.product_label"));
  await u.press(t("request.other_product"));
  await u.send("keripik talas");
  await u.press(t("request.send"));
  const second = await Request.find({ memberTelegramId: u.id }).sort({ createdAt: -1 }).limit(1).lean();
  expect(second[0].answers.product).toBe("keripik talas");
});
