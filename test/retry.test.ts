/**
 * Retries: 429 (after retry_after), 5xx and network errors are retried a few times, on bot.api and
 * inside dialogues (the conversations plugin builds its own Api, so this is checked there too), the
 * number of retries is capped (a fault that lasts is not waited out for ever), and a dialogue does
 * not wait for a recorded retry again each time it is replayed.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, type ApiCall } from "./helpers/harness";
import { registeredMember, GOOD, EXPECTED, codeIn } from "./helpers/requests";
import { ConversationState } from "../src/db/models/conversation-state";
import { Request } from "../src/db/models/request";
import { createRetryingFetch, RETRY_LIMITS } from "../src/bot/retrying-fetch";
import { tFor } from "../src/i18n";

useTestDatabase();
const t = tFor("id");
const tooMany = { kind: "http", error_code: 429, description: "Too Many Requests: retry after 0", retry_after: 0 } as const;

beforeEach(async () => {
  await clearDatabase();
});

async function atProductStep(h: Harness, id: number) {
  const u = h.user(id);
  await registeredMember(id);
  await u.send(t("request.menu.produksi"));
  await GOOD.produksi.category(u, t);
  return u;
}

test("inside a dialogue: 429 twice, then a network error, then the question arrives", async () => {
  const h = new Harness();
  const u = await atProductStep(h, 63001);
  const productQuestion = u.lastText();
  h.telegram.fail("sendMessage", tooMany, 2);
  h.telegram.fail("sendMessage", { kind: "network" }, 1);
  const calls = (await GOOD.produksi.product(u, t)) as ApiCall[];
  const sends = calls.filter((c) => c.method === "sendMessage");
  expect(sends.map((c) => Boolean(c.failed))).toEqual([true, true, true, false]);
  expect(u.lastText()).not.toBe(productQuestion);
  expect(u.lastText()).toBe(sends[3].payload.text);
});

test("inside a dialogue: a 502 is retried after a pause", async () => {
  const h = new Harness();
  const u = await atProductStep(h, 63002);
  h.telegram.fail("sendMessage", { kind: "http", error_code: 502, description: "Bad Gateway" }, 1);
  const started = Date.now();
  const calls = (await GOOD.produksi.product(u, t)) as ApiCall[];
  expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
  expect(calls.filter((c) => c.method === "sendMessage").map((c) => Boolean(c.failed))).toEqual([true, false]);
});

test("capped: after 1 + 3 attempts the dialogue keeps its place, and the member's next message gets the question", async () => {
  const h = new Harness();
  const u = await atProductStep(h, 63003);
  h.telegram.fail("sendMessage", tooMany, RETRY_LIMITS.attempts + 1);
  const before = h.telegram.calls.length;
  // The update is handled (no error escapes): the answer was taken, only the next question failed.
  await GOOD.produksi.product(u, t);
  const sends = h.telegram.calls.slice(before).filter((c) => c.method === "sendMessage");
  expect(sends.filter((c) => c.failed)).toHaveLength(RETRY_LIMITS.attempts + 1);
  expect(sends.filter((c) => !c.failed)).toHaveLength(0);
  const photosQuestion = String(sends[0].payload.text);
  expect(u.texts()).not.toContain(t("errors.internal"));
  const state = await ConversationState.findOne().lean();
  expect(state).not.toBeNull();
  // The dialogue is past the product question: the member's next message brings the photos question,
  // and the product chosen before the fault is in the saved request.
  await u.send("halo");
  expect(u.lastText()).toBe(photosQuestion);
  await GOOD.produksi.photos(u, t);
  await GOOD.produksi.description(u, t);
  await GOOD.produksi.urgency(u, t);
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  expect(saved!.answers).toEqual(EXPECTED.produksi.answers);
});

test("outside dialogues (bot.api): a 429 is retried", async () => {
  const h = new Harness();
  const u = h.user(63004);
  h.telegram.fail("sendMessage", tooMany, 1);
  const calls = await u.send("/bantuan");
  expect(calls.filter((c) => c.method === "sendMessage").map((c) => Boolean(c.failed))).toEqual([true, false]);
  expect(u.lastText()).toBe(t("help.text"));
});

test("a dialogue does not wait again, at every later step, for a retry it made once", async () => {
  const h = new Harness();
  const u = await atProductStep(h, 63005);
  h.telegram.fail("sendMessage", { kind: "http", error_code: 502, description: "Bad Gateway" }, 1);
  await GOOD.produksi.product(u, t);
  // Each later step replays the dialogue from the top, including the call that was retried.
  const started = Date.now();
  await GOOD.produksi.photos(u, t);
  await GOOD.produksi.description(u, t);
  expect(Date.now() - started).toBeLessThan(1500);
});

describe("the caps (createRetryingFetch)", () => {
  const limits = { ...RETRY_LIMITS, networkFirstDelayMs: 1 };
  const body = JSON.stringify({ chat_id: 1, text: "x" });
  const answer = (json: unknown) => new Response(JSON.stringify(json), { headers: { "content-type": "application/json" } });

  test("network errors: 1 + 3 attempts, then the error is thrown", async () => {
    let calls = 0;
    const inner = async () => {
      calls++;
      throw new TypeError("fetch failed");
    };
    await expect(createRetryingFetch(inner, limits)("http://127.0.0.1/botX/sendMessage", { method: "POST", body })).rejects.toThrow("fetch failed");
    expect(calls).toBe(limits.networkAttempts + 1);
  });

  test("a 429 asking for a longer wait than the cap is not retried", async () => {
    let calls = 0;
    const inner = async () => {
      calls++;
      return answer({ ok: false, error_code: 429, description: "Too Many Requests", parameters: { retry_after: limits.maxDelaySeconds + 1 } });
    };
    const res = await createRetryingFetch(inner, limits)("http://127.0.0.1/botX/sendMessage", { method: "POST", body });
    expect(await res.json()).toMatchObject({ ok: false, error_code: 429 });
    expect(calls).toBe(1);
  });

  test("a network error, then success: one retry; a streamed body is sent once", async () => {
    let calls = 0;
    const inner = async () => {
      if (calls++ === 0) throw new TypeError("fetch failed");
      return answer({ ok: true, result: true });
    };
    const res = await createRetryingFetch(inner, limits)("http://127.0.0.1/botX/getMe", { method: "POST", body });
    expect(await res.json()).toEqual({ ok: true, result: true });
    expect(calls).toBe(2);
    calls = 0;
    const stream = new ReadableStream();
    await expect(createRetryingFetch(inner, limits)("http://127.0.0.1/botX/sendDocument", { method: "POST", body: stream })).rejects.toThrow("fetch failed");
    expect(calls).toBe(1);
  });
});
