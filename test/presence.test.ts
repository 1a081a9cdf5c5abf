/** db/presence.ts against the test database: heartbeats, the answer per mode, and the slow way back to "alone". */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { startPresence, type Presence } from "../src/db/presence";
import { ProcessBeat } from "../src/db/models/process-beat";

useTestDatabase();
let now = new Date("2026-12-07T02:00:00Z");
const clock = () => now;
const advance = (ms: number) => (now = new Date(now.getTime() + ms));
const opened: Presence[] = [];
const open = async (mode: "auto" | boolean, changes: boolean[] = []) => {
  const p = await startPresence({ mode, clock, timer: false, intervalMs: 2_000, onChange: (shared) => changes.push(shared) });
  opened.push(p);
  return p;
};

beforeEach(clearDatabase);
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.stop()));
});

test("auto: alone keeps the fast path; a second process makes both shared; after the other is gone long enough, alone again", async () => {
  const changesA: boolean[] = [];
  const a = await open("auto", changesA);
  expect(a.shared()).toBe(false);
  const b = await open("auto");
  // The newcomer sees the first at once; the first at its next beat.
  expect(b.shared()).toBe(true);
  advance(2_000);
  await a.beatOnce();
  expect(a.shared()).toBe(true);
  expect(a.others()).toBe(1);
  // b stops cleanly (its document goes); a stays shared for a while (a peer that missed beats is not gone).
  await b.stop();
  opened.splice(opened.indexOf(b), 1);
  advance(2_000);
  await a.beatOnce();
  expect(a.others()).toBe(0);
  expect(a.shared()).toBe(true);
  advance(30_000);
  await a.beatOnce();
  expect(a.shared()).toBe(false);
  expect(changesA).toEqual([true, false]);
});

test("a crashed process's stale heartbeat is not counted", async () => {
  await ProcessBeat.create({ _id: "crashed", startedAt: new Date(now.getTime() - 60_000), beatAt: new Date(now.getTime() - 30_000) });
  const a = await open("auto");
  expect(a.others()).toBe(0);
  expect(a.shared()).toBe(false);
});

test("MULTI_PROCESS=true is shared alone; false stays unshared beside another, and both still beat", async () => {
  const on = await open(true);
  expect(on.shared()).toBe(true);
  const off = await open(false);
  expect(off.shared()).toBe(false);
  expect(off.others()).toBe(1);
  expect(await ProcessBeat.countDocuments()).toBe(2);
});
