/** bot/claimed-sends.ts against the test database: a doubled update's copy on another process sends nothing twice. */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { claimedSends } from "../src/bot/claimed-sends";
import { withUpdateScope, type UpdateScope } from "../src/db/command-guard";
import { ClaimedSend } from "../src/db/models/claimed-send";

useTestDatabase();
beforeEach(clearDatabase);

const URL = "https://api.telegram.org/botTOKEN/sendMessage";
const body = (text: string) => ({ method: "POST", body: JSON.stringify({ chat_id: 501, text }) });
const scopeOf = (updateId: number): UpdateScope => ({ updateId, open: true, beforeWrite: () => undefined, beforeSend: () => undefined, claim: async () => undefined });

/** A fake Telegram answering each send with the next message id, after `delayMs`. */
function telegram(status = 200, delayMs = 50) {
  const calls: string[] = [];
  let next = 100;
  const fetch = async (_input: string | URL | Request, init?: RequestInit) => {
    calls.push(String(init?.body));
    await new Promise((r) => setTimeout(r, delayMs));
    if (status !== 200) return new Response(JSON.stringify({ ok: false, error_code: status, description: "Internal Server Error" }), { status });
    return new Response(JSON.stringify({ ok: true, result: { message_id: next++, date: 0, chat: { id: 501, type: "private" } } }), { status: 200 });
  };
  return { calls, fetch };
}

test("two processes handling the same update at once: each of its sends reaches Telegram once, both get its message", async () => {
  const tg = telegram();
  const a = claimedSends(tg.fetch, () => true);
  const b = claimedSends(tg.fetch, () => true);
  const handle = (f: typeof a) =>
    withUpdateScope(scopeOf(9001), async () => {
      const first = (await (await f(URL, body("Pertanyaan 1"))).json()) as { result: { message_id: number } };
      const second = (await (await f(URL, body("Pertanyaan 2"))).json()) as { result: { message_id: number } };
      return [first.result.message_id, second.result.message_id];
    });
  const [fromA, fromB] = await Promise.all([handle(a), handle(b)]);
  expect(tg.calls).toHaveLength(2);
  expect(fromA).toEqual(fromB);
  expect(await ClaimedSend.countDocuments({ result: { $ne: null } })).toBe(2);
  // Another update's sends are its own.
  await withUpdateScope(scopeOf(9002), () => a(URL, body("Pertanyaan 1")));
  expect(tg.calls).toHaveLength(3);
});

test("alone on the database: no claim is written", async () => {
  const tg = telegram();
  const f = claimedSends(tg.fetch, () => false);
  await withUpdateScope(scopeOf(9003), () => f(URL, body("Halo")));
  expect(tg.calls).toHaveLength(1);
  expect(await ClaimedSend.countDocuments()).toBe(0);
});

test("the first copy's send failed: it takes the claim back and the second copy sends", async () => {
  const failing = telegram(500, 100);
  const working = telegram();
  const a = claimedSends(failing.fetch, () => true);
  const b = claimedSends(working.fetch, () => true);
  const first = withUpdateScope(scopeOf(9004), () => a(URL, body("Pertanyaan")));
  await new Promise((r) => setTimeout(r, 30));
  const second = withUpdateScope(scopeOf(9004), () => b(URL, body("Pertanyaan")));
  expect((await first).status).toBe(500);
  const res = (await (await second).json()) as { ok: boolean };
  expect(res.ok).toBe(true);
  expect(working.calls).toHaveLength(1);
});

test("an update tried again after a stale attempt: its own different message is sent, the same message is not sent again", async () => {
  const tg = telegram();
  const f = claimedSends(tg.fetch, () => true);
  // The stale attempt (a dialogue state another process had moved on) asked the previous question again.
  const stale = await withUpdateScope(scopeOf(9010), async () => (await (await f(URL, body("Pertanyaan 1"))).json()) as { result: { message_id: number } });
  // Tried again on the fresh state (a new scope: its sends are counted from 1 again), it asks the next question.
  const retried = await withUpdateScope(scopeOf(9010), async () => (await (await f(URL, body("Pertanyaan 2"))).json()) as { result: { message_id: number } });
  expect(tg.calls.map((c) => (JSON.parse(c) as { text: string }).text)).toEqual(["Pertanyaan 1", "Pertanyaan 2"]);
  expect(retried.result.message_id).not.toBe(stale.result.message_id);
  // A third attempt that sends what the first one sent gets that message, and Telegram no call.
  const again = await withUpdateScope(scopeOf(9010), async () => (await (await f(URL, body("Pertanyaan 1"))).json()) as { result: { message_id: number } });
  expect(again.result.message_id).toBe(stale.result.message_id);
  expect(tg.calls).toHaveLength(2);
});
