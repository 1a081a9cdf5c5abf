/**
 * Flood control: a member who sends too much in a few seconds is told once, politely, to slow down,
 * and the rest of the flood is dropped; other members are served as usual; an album counts once;
 * after the window the member is served again. Through the real bot with the real middleware order.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, testConfig } from "./helpers/harness";
import { registeredMember, seen, GOOD } from "./helpers/requests";
import { tFor } from "../src/i18n";

useTestDatabase();
const t = tFor("id");
const SLOW = t("flood.slow_down");

beforeEach(async () => {
  await clearDatabase();
});

test("the 6th message within the window gets one polite warning, the rest are dropped; others are not affected", async () => {
  const h = new Harness(testConfig({ FLOOD_MAX_MESSAGES: "5", FLOOD_WINDOW_SECONDS: "60" }));
  const flooder = h.user(62001);
  const other = h.user(62002);
  await registeredMember(flooder.id);
  await registeredMember(other.id);

  const answers: string[][] = [];
  for (let i = 0; i < 9; i++) answers.push(seen(await flooder.send(`halo ${i}`)));
  // Five answered as usual, then one warning, then silence.
  expect(answers.slice(0, 5).every((a) => a.length === 1 && a[0] !== SLOW)).toBe(true);
  expect(answers[5]).toEqual([SLOW]);
  expect(answers.slice(6)).toEqual([[], [], []]);
  // A button press during the flood is answered (the spinner stops) but not acted on.
  const press = await flooder.press("x", { raw: true });
  expect(press.map((c) => c.method)).toEqual(["answerCallbackQuery"]);
  expect(press[0].payload.text).toBeUndefined();

  // Someone else at the same time: served normally.
  const otherAnswer = seen(await other.send("halo"));
  expect(otherAnswer).toHaveLength(1);
  expect(otherAnswer[0]).not.toBe(SLOW);
});

test("a flood of button presses is warned by a toast", async () => {
  const h = new Harness(testConfig({ FLOOD_MAX_MESSAGES: "2", FLOOD_WINDOW_SECONDS: "60" }));
  const u = h.user(62003);
  await u.press("x", { raw: true });
  await u.press("x", { raw: true });
  const third = await u.press("x", { raw: true });
  expect(third.map((c) => [c.method, c.payload.text])).toEqual([["answerCallbackQuery", SLOW]]);
});

test("an album of ten photos counts as one message: a member can send it in the photo step", async () => {
  const h = new Harness(testConfig({ FLOOD_MAX_MESSAGES: "8", FLOOD_WINDOW_SECONDS: "60" }));
  const u = h.user(62004);
  await registeredMember(u.id);
  await u.send(t("request.menu.produksi"));
  await GOOD.produksi.category(u, t);
  await GOOD.produksi.product(u, t);
  const before = h.telegram.calls.length;
  for (let i = 0; i < 10; i++) await u.photo(`album-${i}`, { mediaGroupId: "album-1" });
  expect(seen(h.telegram.calls.slice(before))).not.toContain(SLOW);
  await u.press(t("dialog.done"));
  expect(u.lastText()).not.toBe(SLOW);
});

test("after the window the member is served again", async () => {
  const h = new Harness(testConfig({ FLOOD_MAX_MESSAGES: "2", FLOOD_WINDOW_SECONDS: "1" }));
  const u = h.user(62005);
  await u.send("a");
  await u.send("b");
  expect(seen(await u.send("c"))).toEqual([SLOW]);
  await new Promise((r) => setTimeout(r, 1100));
  const later = seen(await u.send("d"));
  expect(later).toHaveLength(1);
  expect(later[0]).not.toBe(SLOW);
});

test("the warning is in the member's language (English when they chose it)", async () => {
  const h = new Harness(testConfig({ FLOOD_MAX_MESSAGES: "1", FLOOD_WINDOW_SECONDS: "60" }));
  const u = h.user(62006, { language_code: "en" });
  await u.send("hello");
  expect(seen(await u.send("hello again"))).toEqual([tFor("en")("flood.slow_down")]);
});
