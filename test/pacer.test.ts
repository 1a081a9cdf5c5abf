/** delivery/pacer.ts: no more than `perSecond` sends in any second; the next waits exactly until one leaves the window. */
import { createPacer } from "../src/delivery/pacer";

test("100 sends at 25 a second: no second holds more than 25, and they take four seconds", async () => {
  let t = 0;
  const at: number[] = [];
  const pacer = createPacer(
    25,
    () => t,
    async (ms) => void (t += ms),
  );
  for (let i = 0; i < 100; i++) {
    await pacer.turn();
    at.push(t);
  }
  for (let i = 25; i < at.length; i++) expect(at[i] - at[i - 25]).toBeGreaterThanOrEqual(1_000);
  expect(at.at(-1)).toBe(3_000);
});
