/**
 * WITA is shown with a fixed UTC+8 offset (lib/time.ts). Pinned against the time-zone database:
 * every three hours over two years, and the instants around a month's end, give the same wall time.
 */
import { dayjs, inWita, WITA, formatWita, dayPart, witaMonth, witaMonthRange } from "../src/lib/time";

test("inWita agrees with the Asia/Makassar zone every three hours over 2026–2027", () => {
  const start = Date.UTC(2026, 0, 1);
  for (let t = start; t < Date.UTC(2028, 0, 1); t += 3 * 3_600_000) {
    expect(inWita(t).format("YYYY-MM-DD HH:mm")).toBe(dayjs(t).tz(WITA).format("YYYY-MM-DD HH:mm"));
  }
});

test("month boundary: 30 Nov 23:30 WITA is November, 1 Dec 00:00 WITA is December", () => {
  const lateNov = new Date("2026-11-30T15:30:00Z");
  const dec = new Date("2026-11-30T16:00:00Z");
  expect([witaMonth(lateNov), witaMonth(dec)]).toEqual(["2026-11", "2026-12"]);
  expect(formatWita(lateNov)).toBe("30 Nov 2026 23.30 WITA");
  expect(formatWita(dec, "en")).toBe("1 Dec 2026 00:00 WITA");
  expect(witaMonthRange("2026-12").start.toISOString()).toBe("2026-11-30T16:00:00.000Z");
  expect(dayPart(new Date("2026-11-30T00:00:00Z"))).toBe("pagi"); // 08.00 WITA
  expect(dayPart(new Date("2026-11-30T12:00:00Z"))).toBe("malam"); // 20.00 WITA
});
