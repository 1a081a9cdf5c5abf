/**
 * The dispatcher's decision after a failed Bot API call, one case per branch: pure (no database, no
 * Telegram), so each rule of delivery/dispatcher.ts's header is pinned here by its error.
 */
import { GrammyError, HttpError } from "grammy";
import { backoffMs, classifyFailure, type FailedItem } from "../src/delivery/classify-failure";

function grammyError(error_code: number, description: string, parameters: Record<string, number> = {}): GrammyError {
  return new GrammyError(`Call to 'sendMessage' failed! (${error_code}: ${description})`, { ok: false, error_code, description, parameters }, "sendMessage", {});
}

const toMember: FailedItem = { group: false, toConfiguredGroup: false, attempts: 0, plain: false, method: "sendMessage", groupFixedByConfig: false };
const toGroup: FailedItem = { ...toMember, group: true, toConfiguredGroup: true };

test("backoff: 5 s doubling, at most 5 minutes", () => {
  expect([0, 1, 2, 3, 6, 7, 20].map(backoffMs)).toEqual([5_000, 10_000, 20_000, 40_000, 300_000, 300_000, 300_000]);
});

test("429: everything pauses for retry_after (5 s when Telegram gives none)", () => {
  expect(classifyFailure(grammyError(429, "Too Many Requests: retry after 17", { retry_after: 17 }), toMember)).toEqual({
    action: "pause",
    waitMs: 17_000,
    note: "Too Many Requests: retry after 17",
  });
  expect(classifyFailure(grammyError(429, "Too Many Requests"), toGroup)).toMatchObject({ action: "pause", waitMs: 5_000 });
});

test("5xx and network errors are retried with the item's backoff", () => {
  expect(classifyFailure(grammyError(502, "Bad Gateway"), { ...toMember, attempts: 2 })).toEqual({
    action: "retry",
    delayMs: 20_000,
    note: "502: Bad Gateway",
    groupUnreachable: false,
    network: false,
  });
  expect(classifyFailure(new HttpError("Network request for 'sendMessage' failed!", new Error("ECONNRESET")), toGroup)).toMatchObject({
    action: "retry",
    delayMs: 5_000,
    network: true,
  });
  expect(classifyFailure(new Error("The operation was aborted due to timeout"), toMember)).toMatchObject({ action: "retry", network: true });
});

test("an edit that changes nothing is settled, not retried", () => {
  expect(classifyFailure(grammyError(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same"), toGroup)).toEqual({
    action: "not_modified",
  });
});

test("the group became a supergroup: followed, unless OFFICER_GROUP_ID fixes the group", () => {
  const migrated = grammyError(400, "Bad Request: group chat was upgraded to a supergroup chat", { migrate_to_chat_id: -1009 });
  expect(classifyFailure(migrated, toGroup)).toEqual({ action: "follow_migration", chatId: -1009, note: "Bad Request: group chat was upgraded to a supergroup chat" });
  expect(classifyFailure(migrated, { ...toGroup, groupFixedByConfig: true })).toMatchObject({ action: "retry_plain" });
});

test("the group refusing the bot altogether is retried (an admin can fix it); a member's 403 is final", () => {
  for (const desc of [
    "Forbidden: bot was kicked from the supergroup chat",
    "Bad Request: not enough rights to send text messages to the chat",
    "Bad Request: chat not found",
    "Bad Request: CHAT_WRITE_FORBIDDEN",
  ]) {
    const code = desc.startsWith("Forbidden") ? 403 : 400;
    expect(classifyFailure(grammyError(code, desc), toGroup)).toMatchObject({ action: "retry", groupUnreachable: true, network: false });
  }
  expect(classifyFailure(grammyError(403, "Forbidden: bot was blocked by the user"), toMember)).toEqual({
    action: "give_up",
    note: "403: Forbidden: bot was blocked by the user",
    errorCode: 403,
    description: "Forbidden: bot was blocked by the user",
  });
});

test("the group refusing a photo or voice note: its caption goes as text; other 400s once more as plain text, then given up", () => {
  const noPhotos = grammyError(400, "Bad Request: not enough rights to send photos to the chat");
  expect(classifyFailure(noPhotos, { ...toGroup, method: "sendPhoto" })).toEqual({
    action: "caption_as_text",
    note: "400: Bad Request: not enough rights to send photos to the chat",
  });
  expect(classifyFailure(grammyError(400, "Bad Request: CHAT_SEND_VOICES_FORBIDDEN"), { ...toGroup, method: "sendVoice" })).toMatchObject({ action: "caption_as_text" });
  const badHtml = grammyError(400, "Bad Request: can't parse entities: unexpected end tag");
  expect(classifyFailure(badHtml, toGroup)).toEqual({ action: "retry_plain", note: "400: Bad Request: can't parse entities: unexpected end tag" });
  expect(classifyFailure(badHtml, { ...toGroup, plain: true })).toMatchObject({ action: "give_up", errorCode: 400 });
  // A member's 400 is not retried as plain text: given up (the request's timeline records it).
  expect(classifyFailure(badHtml, toMember)).toMatchObject({ action: "give_up", errorCode: 400 });
});
