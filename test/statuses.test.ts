/**
 * The status machine (src/domain/statuses.ts), every pair of statuses: what is allowed, and the
 * reason for each refusal. Pure functions: no database, no bot.
 */
import { STATUSES, isOpen, type Status } from "../src/vocabulary/statuses";
import { checkTransition, allowedNext, infoReturnFor } from "../src/domain/statuses";

/** For a request someone has taken (an unclaimed one: below). */
const ALLOWED: Record<Status, Status[]> = {
  diterima: ["ditelaah", "perlu_info", "ditindaklanjuti", "selesai", "ditolak"],
  ditelaah: ["ditindaklanjuti", "perlu_info", "selesai", "ditolak"],
  perlu_info: ["ditelaah", "ditindaklanjuti", "ditolak"],
  ditindaklanjuti: ["selesai", "perlu_info", "ditolak"],
  selesai: [],
  ditolak: [],
};
const NOTE = { note: "catatan" };

describe.each(STATUSES.map((from) => [from]))("from %s", (from) => {
  test.each(STATUSES.map((to) => [to]))("to %s", (to) => {
    const result = checkTransition(from, to, NOTE);
    if (!isOpen(from)) expect(result).toEqual({ ok: false, reason: "closed" });
    else if (from === to) expect(result).toEqual({ ok: false, reason: "same" });
    else if (ALLOWED[from].includes(to)) expect(result).toEqual({ ok: true });
    else expect(result).toEqual({ ok: false, reason: "not_allowed" });
  });
  test("allowedNext lists the same", () => {
    expect([...allowedNext(from)].sort()).toEqual([...ALLOWED[from]].sort());
  });
});

test("perlu_info, selesai and ditolak need a note; a blank one is no note", () => {
  for (const [from, to] of [
    ["ditelaah", "perlu_info"],
    ["ditindaklanjuti", "selesai"],
    ["diterima", "ditolak"],
  ] as [Status, Status][]) {
    expect(checkTransition(from, to)).toEqual({ ok: false, reason: "note_required" });
    expect(checkTransition(from, to, { note: "   " })).toEqual({ ok: false, reason: "note_required" });
    expect(checkTransition(from, to, NOTE)).toEqual({ ok: true });
  }
  expect(checkTransition("diterima", "ditelaah")).toEqual({ ok: true });
  expect(checkTransition("ditelaah", "ditindaklanjuti")).toEqual({ ok: true });
});

test("ditindaklanjuti -> perlu_info -> back to ditindaklanjuti (not to ditelaah), or ditolak", () => {
  expect(checkTransition("ditindaklanjuti", "perlu_info", NOTE)).toEqual({ ok: true });
  expect(checkTransition("perlu_info", "ditindaklanjuti", { returnTo: "ditindaklanjuti" })).toEqual({ ok: true });
  expect(checkTransition("perlu_info", "ditelaah", { returnTo: "ditindaklanjuti" })).toEqual({ ok: false, reason: "not_from_perlu_info" });
  expect(checkTransition("perlu_info", "ditolak", { ...NOTE, returnTo: "ditindaklanjuti" })).toEqual({ ok: true });
  // From ditelaah it goes back to ditelaah.
  expect(checkTransition("perlu_info", "ditelaah", { returnTo: "ditelaah" })).toEqual({ ok: true });
  expect(checkTransition("perlu_info", "ditindaklanjuti", { returnTo: "ditelaah" })).toEqual({ ok: false, reason: "not_from_perlu_info" });
  // selesai is never a way out of perlu_info.
  expect(checkTransition("perlu_info", "selesai", { ...NOTE, returnTo: "ditindaklanjuti" })).toEqual({ ok: false, reason: "not_allowed" });
});

test("ditolak from each open status (with a reason); an unclaimed request only reviewed or declined; nothing leaves a closed status", () => {
  for (const from of ["diterima", "ditelaah", "perlu_info", "ditindaklanjuti"] as Status[]) {
    expect(checkTransition(from, "ditolak", { ...NOTE, returnTo: from === "perlu_info" ? "ditelaah" : null })).toEqual({ ok: true });
  }
  // Unclaimed: only review (which takes it) or decline; asking, following up or finishing needs it taken.
  for (const to of ["perlu_info", "ditindaklanjuti", "selesai"] as const)
    expect(checkTransition("diterima", to, { ...NOTE, claimed: false })).toEqual({ ok: false, reason: "not_allowed" });
  expect(checkTransition("diterima", "ditelaah", { claimed: false })).toEqual({ ok: true });
  expect(checkTransition("diterima", "ditolak", { ...NOTE, claimed: false })).toEqual({ ok: true });
  expect([...allowedNext("diterima", false)]).toEqual(["ditelaah", "ditolak"]);
  // Asked straight from diterima, the answer brings it to ditelaah (someone works on it now).
  expect(infoReturnFor("diterima")).toBe("ditelaah");
  expect(infoReturnFor("ditindaklanjuti")).toBe("ditindaklanjuti");
  for (const from of ["selesai", "ditolak"] as Status[]) {
    for (const to of STATUSES) expect(checkTransition(from, to, NOTE)).toEqual({ ok: false, reason: "closed" });
  }
});
