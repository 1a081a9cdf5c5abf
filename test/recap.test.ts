import { Types } from "mongoose";
import { SLA_DEFAULTS } from "../src/vocabulary/service-levels";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { createRequest } from "../src/domain/requests";
import { Request } from "../src/db/models/request";
import { seedSentras, listSentras } from "../src/domain/sentras";
import { monthlyRecap, parseRecapMonth } from "../src/domain/recap";
import type { RequestType } from "../src/vocabulary/request-types";
import type { Kecamatan } from "../src/vocabulary/kecamatan";

useTestDatabase();

let n = 0;
async function fixture(at: string, type: RequestType, kecamatan: Kecamatan, sentraId: string | null, status = "diterima") {
  const r = await createRequest({
    sla: SLA_DEFAULTS,
    type,
    member: { id: new Types.ObjectId().toString(), telegramId: 9000 + n, kecamatan, sentraId },
    answers: { x: "y" },
    attachments: [],
    sourceKey: `recap-${n++}`,
    now: new Date(at),
  });
  // Stored as created at that instant (createRequest stamps createdAt with the clock).
  await Request.collection.updateOne({ _id: new Types.ObjectId(r.id) }, { $set: { createdAt: new Date(at), status } });
  return r;
}

beforeAll(async () => {
  await clearDatabase();
  await seedSentras([
    { slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" },
    { slug: "kuta-rasa", name: "Sentra Kuta Rasa", kecamatan: "Kuta" },
  ]);
  const [amerta, kuta] = await listSentras();
  const a = amerta.slug === "amerta-jaya" ? amerta : kuta;
  const k = a === amerta ? kuta : amerta;
  // October (WITA), a November spread, and the WITA month boundary on both sides.
  await fixture("2026-10-15T02:00:00Z", "modal", "Kuta", k.id);
  await fixture("2026-11-01T00:30:00Z", "produksi", "Mengwi", a.id, "ditelaah");
  await fixture("2026-10-31T16:05:00Z", "produksi", "Mengwi", a.id); // 1 Nov 00:05 WITA
  await fixture("2026-10-31T15:55:00Z", "kemasan", "Mengwi", a.id); // 31 Oct 23:55 WITA -> October
  await fixture("2026-11-10T05:00:00Z", "kemasan", "Kuta", k.id, "selesai");
  await fixture("2026-11-20T05:00:00Z", "pelatihan", "Petang", null, "ditolak");
  await fixture("2026-11-30T15:30:00Z", "pemasaran", "Mengwi", a.id); // 30 Nov 23:30 WITA -> November
  await fixture("2026-11-30T16:10:00Z", "pemasaran", "Mengwi", a.id); // 1 Dec 00:10 WITA -> December
});

test("November in WITA counts the requests of November WITA only, by type x status, sentra and kecamatan", async () => {
  const r = await monthlyRecap("2026-11");
  expect(r.total).toBe(5);
  expect(r.byTypeStatus.produksi).toMatchObject({ diterima: 1, ditelaah: 1 });
  expect(r.byTypeStatus.kemasan).toMatchObject({ selesai: 1, diterima: 0 });
  expect(r.byTypeStatus.pelatihan.ditolak).toBe(1);
  expect(r.byTypeStatus.pemasaran.diterima).toBe(1);
  expect(r.byTypeStatus.modal.diterima).toBe(0);
  expect(r.byKecamatan).toMatchObject({ Mengwi: 3, Kuta: 1, Petang: 1, Abiansemal: 0 });
  expect(r.bySentra).toEqual([
    expect.objectContaining({ name: "Sentra IKM Amerta Jaya", count: 3 }),
    expect.objectContaining({ name: "Sentra Kuta Rasa", count: 1 }),
    expect.objectContaining({ sentraId: null, count: 1 }),
  ]);
});

test("October and December get the requests on their side of the WITA boundary", async () => {
  const oct = await monthlyRecap("2026-10");
  expect(oct.total).toBe(2);
  expect(oct.byTypeStatus.kemasan.diterima).toBe(1);
  const dec = await monthlyRecap("2026-12");
  expect(dec.total).toBe(1);
  expect(dec.byTypeStatus.pemasaran.diterima).toBe(1);
});

test("months typed by users are validated", () => {
  const now = new Date("2026-11-28T03:00:00Z");
  expect(parseRecapMonth(undefined, now)).toEqual({ ok: true, month: "2026-11" });
  expect(parseRecapMonth("2026-10", now)).toEqual({ ok: true, month: "2026-10" });
  expect(parseRecapMonth("2026-12", now)).toEqual({ ok: false, reason: "future" });
  expect(parseRecapMonth("2026-13", now)).toEqual({ ok: false, reason: "format" });
  expect(parseRecapMonth("11-2026", now)).toEqual({ ok: false, reason: "format" });
  expect(parseRecapMonth("2026-1'; drop", now)).toEqual({ ok: false, reason: "format" });
  // 30 Nov 23:30 WITA is still November; 16:10Z on the 30th is already December in WITA.
  expect(parseRecapMonth("2026-12", new Date("2026-11-30T16:10:00Z"))).toEqual({ ok: true, month: "2026-12" });
});
