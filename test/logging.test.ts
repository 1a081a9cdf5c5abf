/**
 * No phone number (and no token) reaches the logs: the real logger (createLogger, with its
 * redaction) writes to a stream while the real bot handles a registration, a change of data and a
 * failing Bot API call whose error carries the phone number in its payload.
 */
import { PassThrough } from "node:stream";
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { Harness, TOKEN, testConfig } from "./helpers/harness";
import { createLogger } from "../src/logger";
import { Member } from "../src/db/models/member";
import { seedSentras } from "../src/domain/sentras";
import { textOf } from "./helpers/localeText";

useTestDatabase();

const PHONE_DIGITS = "81234567890";

function capture() {
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => lines.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
  const logger = createLogger({ logLevel: "trace", nodeEnv: "test" }, stream);
  return { logger, lines };
}

beforeEach(async () => {
  await clearDatabase();
  await seedSentras([{ slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" }]);
});

test("a registration, a change of data and a failed Bot API call log no phone number or token", async () => {
  const { logger, lines } = capture();
  const h = new Harness(testConfig({ LOG_LEVEL: "trace" }), logger);
  const u = h.user(7101, { first_name: "Komang" });

  await u.send("/start");
  await u.press("Setuju");
  await u.press(textOf("onboarding.use_telegram_name", { name: "Komang" }));
  await u.contact(`+62${PHONE_DIGITS}`, 9999); // someone else's contact: refused
  await u.send(`0${PHONE_DIGITS.slice(0, 3)} ${PHONE_DIGITS.slice(3)}`);
  await u.send("UD Komang");
  await u.press("Mengwi");
  await u.press("Sentra IKM Amerta Jaya");
  await u.send("keripik");
  expect((await Member.findOne({ telegramId: 7101 }).lean())?.phone).toBe(`+62${PHONE_DIGITS}`);

  // Change of data: the phone question carries the stored number on a keyboard button. Telegram
  // refuses that message; the refusal is logged (without the payload) and the dialogue stays.
  await u.send("/start");
  await u.press("Ubah data saya");
  h.telegram.fail("sendMessage", { kind: "http", error_code: 400, description: "Bad Request: test refusal" });
  const before = h.telegram.calls.length;
  await u.press(textOf("onboarding.keep", { value: "Komang" }));
  const refused = h.telegram.calls.slice(before).find((c) => c.failed);
  expect(JSON.stringify(refused?.payload)).toContain(PHONE_DIGITS);
  // The member's next message brings the question that was refused.
  await u.send("halo");
  expect(u.lastText()).toBe(String(refused?.payload.text));

  // Something was logged, including the failure, so the check below is not vacuous.
  const failure = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.msg).startsWith("a dialogue's call failed"));
  expect(failure).toBeDefined();
  expect(JSON.stringify(failure)).toContain("test refusal");

  const all = lines.join("\n");
  expect(all).not.toContain(PHONE_DIGITS);
  expect(all).not.toContain(TOKEN);
  expect(all).not.toContain(TOKEN.split(":")[1]);
});

test("the redaction covers phone numbers and contacts wherever a handler might log them", () => {
  const { logger, lines } = capture();
  const contact = { phone_number: `+62${PHONE_DIGITS}`, first_name: "X", user_id: 1 };
  logger.info({ phone: `+62${PHONE_DIGITS}` }, "member");
  logger.info({ member: { phone: `+62${PHONE_DIGITS}` } }, "nested member");
  logger.info({ message: { contact } }, "a message");
  logger.info({ update: { message: { contact } } }, "an update");
  logger.info({ botToken: TOKEN }, "config");
  expect(lines).toHaveLength(5);
  expect(lines.join("\n")).not.toContain(PHONE_DIGITS);
  expect(lines.join("\n")).not.toContain(TOKEN);
});
