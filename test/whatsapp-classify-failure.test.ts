/** The WhatsApp outbox's failure decisions (src/whatsapp/classify-failure.ts), by Meta's error code. */
import { backoffMs, classifyWhatsAppFailure, GraphApiError } from "../src/whatsapp/classify-failure";

const graph = (status: number, code: number, details = "d") => new GraphApiError(status, { message: "m", type: "OAuthException", code, error_data: { details }, fbtrace_id: "t" });

test("network errors, 5xx, 131000 and 130429 are retried with backoff", () => {
  expect(classifyWhatsAppFailure(new Error("ECONNRESET"), 0)).toMatchObject({ action: "retry", network: true, delayMs: 5000 });
  expect(classifyWhatsAppFailure(graph(500, 2), 1)).toMatchObject({ action: "retry", delayMs: backoffMs(1) });
  expect(classifyWhatsAppFailure(graph(400, 130429), 2)).toMatchObject({ action: "retry", delayMs: 20_000 });
  expect(classifyWhatsAppFailure(graph(400, 131000), 0)).toMatchObject({ action: "retry" });
  expect(backoffMs(20)).toBe(300_000);
});

test("131056 slows down for this member; 131047 switches to the template", () => {
  expect(classifyWhatsAppFailure(graph(400, 131056), 0)).toMatchObject({ action: "slow_down" });
  expect(classifyWhatsAppFailure(graph(400, 131047), 3)).toEqual({ action: "use_template", note: "131047: d" });
});

test("131026, invalid parameters and template errors are given up visibly, with the code and details", () => {
  for (const code of [131026, 100, 131009, 132018, 131051]) {
    expect(classifyWhatsAppFailure(graph(400, code, "why"), 0)).toEqual({ action: "give_up", code, note: `${code}: why` });
  }
});

test("the decision reads the code, not the message text", () => {
  const e = new GraphApiError(400, { message: "Rate limit hit", code: 131026 });
  expect(classifyWhatsAppFailure(e, 0)).toMatchObject({ action: "give_up", code: 131026 });
});
