/**
 * Text is cut where a reader would cut it: never inside an emoji (no lone surrogate, no U+FFFD),
 * never inside an HTML entity, and a card is measured by what Telegram shows (an escaped "&amp;"
 * is one character), so &-heavy answers no longer push the card's date and hint lines out.
 */
import { useTestDatabase } from "./helpers/db";
import { officerWorld, newMember, cardText } from "./helpers/officers";
import { testRequest } from "./helpers/fixtures";
import { registeredMember, codeIn } from "./helpers/requests";
import { Harness } from "./helpers/harness";
import { Request } from "../src/db/models/request";
import { ATTACHMENT_CAPTION_MAX } from "../src/db/models/request";
import { clipText, cutText, htmlToPlain, visibleLength } from "../src/lib/text";
import { escapeWithin } from "../src/telegram/render";
import { formatWita } from "../src/lib/time";
import { tFor } from "../src/i18n";

useTestDatabase();
const t = tFor("id");
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** An "&" that does not start one of the entities escapeHtml writes. */
const BROKEN_ENTITY = /&(?!(amp|lt|gt|quot|#39);)/;

test("cuts fall between graphemes", () => {
  const text = `${"a".repeat(198)}😀${"b".repeat(800)}`;
  expect(text.charCodeAt(198)).toBeGreaterThanOrEqual(0xd800);
  const clipped = clipText(text, 200);
  expect(clipped).not.toMatch(LONE_SURROGATE);
  expect(clipped.length).toBeLessThanOrEqual(200);
  expect(cutText(text, 199)).toBe("a".repeat(198));
  expect(cutText(text, 200)).toBe(`${"a".repeat(198)}😀`);
  // A letter with a combining mark stays whole.
  expect(cutText("ke\u0301", 2)).toBe("k");
  const escaped = escapeWithin(`${"&".repeat(50)}😀`, 51);
  expect(escaped).not.toMatch(BROKEN_ENTITY);
  expect(htmlToPlain(escaped)).toBe(`${"&".repeat(50)}…`);
  expect(visibleLength(escapeWithin("&".repeat(300), 100))).toBe(100);
});

test("a card with an emoji at the cut and &-heavy answers: whole characters, whole entities, its last lines kept", async () => {
  const { h } = await officerWorld("produksi");
  const member = await newMember(76001);
  const description = `${"x".repeat(198)}😀 ${"&".repeat(780)}`;
  const photos = Array.from({ length: 10 }, (_, i) => ({ kind: "photo" as const, field: "photos", fileId: `p${i}`, fileUniqueId: `u${i}`, caption: `${"&<>".repeat(300)}` }));
  const r = await testRequest(member, "produksi", new Date(), { category: "peralatan", product: "keripik bayam", description, urgency: "berhenti_baru" }, photos);
  await h.deliver();
  const card = await cardText(h, r.id);
  expect(card).not.toMatch(LONE_SURROGATE);
  expect(card).not.toMatch(BROKEN_ENTITY);
  expect(card).not.toContain("\uFFFD");
  expect(visibleLength(card)).toBeLessThanOrEqual(4096);
  // More than 4096 raw characters, so the old raw cut would have lost the end.
  expect(card.length).toBeGreaterThan(4096);
  expect(card).toContain(t("officer.card.created", { at: formatWita(r.createdAt, "id") }));
  expect(card.endsWith(t("officer.card.hint"))).toBe(true);
});

test("a photo caption cut at the limit keeps no half emoji", async () => {
  const h = new Harness();
  const u = h.user(76002);
  await registeredMember(u.id);
  await u.send(t("request.menu.produksi"));
  await u.press(t("request.opt.bahan_baku"));
  await u.press("kue potong");
  await u.photo("cap-photo", { caption: `${"a".repeat(ATTACHMENT_CAPTION_MAX - 1)}😀` });
  await u.press(t("dialog.done"));
  await u.send("Minyak goreng langka.");
  await u.press(t("request.opt.berhenti_baru"));
  await u.press(t("request.send"));
  const saved = await Request.findOne({ code: codeIn(u.lastText()) }).lean();
  const caption = saved!.attachments[0].caption!;
  expect(caption).toBe("a".repeat(ATTACHMENT_CAPTION_MAX - 1));
  expect(caption).not.toContain("\uFFFD");
});
