/**
 * Photos and voice notes between a WhatsApp member and the officers: the member's are copied from
 * Meta at once (media id → URL → bytes with the token, within the size limit), kept, and uploaded
 * to the officers' group under the card as on Telegram; in an answer to an officer's question too.
 * An officer's photo goes the other way (uploaded to Meta, sent by its id). Too big: said so,
 * nothing stored; the same message delivered twice is copied once.
 */
import { useTestDatabase } from "./helpers/db";
import { GROUP, cardMessageId, lastBotMessage, messageMember, newMember, officerWorld } from "./helpers/officers";
import type { Harness, TestUser } from "./helpers/harness";
import { WhatsAppWorld } from "./helpers/whatsapp";
import { textOf } from "./helpers/localeText";
import { htmlToWhatsApp } from "../src/whatsapp/format";
import { CHOICE } from "../src/domain/request-machine";
import { answerButtonData } from "../src/telegram/callback-data";
import { tFor } from "../src/i18n";
import { Request } from "../src/db/models/request";
import { WhatsAppMedia } from "../src/db/models/whatsapp-media";
import { bytesOf } from "../src/domain/stored-media";

useTestDatabase();

const NUMBER = "6281234567890";
const t = tFor("id");
const plain = (key: string, vars?: Record<string, unknown>) => htmlToWhatsApp(textOf(key, vars));
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("a photo of a broken slicer")]);
const OGG = Buffer.concat([Buffer.from("OggS"), Buffer.from("a voice note")]);
let h: Harness;
let made: TestUser;
let wa: WhatsAppWorld;
const officerFiles: string[] = [];

beforeEach(async () => {
  ({ h, made } = await officerWorld("produksi, kemasan, pemasaran, modal, pelatihan"));
  officerFiles.length = 0;
  wa = await new WhatsAppWorld({
    clock: h.clock.now,
    telegramFile: async (fileId) => {
      officerFiles.push(fileId);
      return { bytes: Buffer.from(`telegram file ${fileId}`), mime: "image/jpeg" };
    },
  }).start();
  await newMember(5101, { name: "Ni Luh Sari" });
  await wa.say(wa.graph.text(NUMBER, "halo"));
});
afterEach(async () => {
  await wa.stop();
});

const uploadsTo = (chat: number, method: string) => h.telegram.calls.filter((c) => c.method === method && c.payload.chat_id === chat && !c.failed);

test("a produksi report with a photo and a voice note: both copied, filed, and uploaded under the card", async () => {
  await wa.say(wa.graph.listReply(NUMBER, "menu:produksi"));
  await wa.say(wa.graph.text(NUMBER, "1")); // category
  await wa.say(wa.graph.text(NUMBER, "1")); // product
  const photo = wa.graph.image(NUMBER, wa.graph.addMedia(JPEG, "image/jpeg"), "Pisau pengiris patah");
  await wa.say(photo, 2); // Meta delivers it twice: one copy, one photo
  expect(wa.graph.textsTo(NUMBER).at(-1)).toBe(plain("dialog.photo_received", { count: 1, max: 5 }));
  await wa.say(wa.graph.buttonReply(NUMBER, CHOICE.done));
  await wa.say(wa.graph.voice(NUMBER, wa.graph.addMedia(OGG, "audio/ogg; codecs=opus")));
  await wa.say(wa.graph.text(NUMBER, "1")); // urgency
  await wa.say(wa.graph.buttonReply(NUMBER, CHOICE.send));
  const r = (await Request.findOne().lean())!;
  expect(r.attachments.map((a) => ({ kind: a.kind, field: a.field, caption: a.caption }))).toEqual([
    { kind: "photo", field: "photos", caption: "Pisau pengiris patah" },
    { kind: "voice", field: "description", caption: undefined },
  ]);
  expect(await WhatsAppMedia.countDocuments()).toBe(2);
  const stored = await WhatsAppMedia.find().sort({ createdAt: 1 }).lean();
  expect(bytesOf(stored[0].bytes).equals(JPEG)).toBe(true);

  await h.drain();
  const photoSent = uploadsTo(GROUP, "sendPhoto").at(-1)!;
  expect(photoSent.files?.photo?.content.equals(JPEG)).toBe(true);
  expect(String(photoSent.payload.caption)).toContain("Pisau pengiris patah");
  const voiceSent = uploadsTo(GROUP, "sendVoice").at(-1)!;
  expect(voiceSent.files?.voice?.content.equals(OGG)).toBe(true);
  // Both under the card.
  const cardId = await cardMessageId(String(r._id));
  expect((photoSent.payload.reply_parameters as { message_id: number }).message_id).toBe(cardId);
});

test("an answer with a photo reaches the card; an officer's photo reaches the member on WhatsApp", async () => {
  await wa.say(wa.graph.listReply(NUMBER, "menu:produksi"));
  for (const step of ["1", "1"]) await wa.say(wa.graph.text(NUMBER, step));
  await wa.say(wa.graph.text(NUMBER, "lewati"));
  await wa.say(wa.graph.text(NUMBER, "Mesin pengiris rusak"));
  await wa.say(wa.graph.text(NUMBER, "1"));
  await wa.say(wa.graph.buttonReply(NUMBER, CHOICE.send));
  const r = (await Request.findOne().lean())!;
  await h.drain();
  const cardId = await cardMessageId(String(r._id));
  await made.press(t("officer.btn.claim"), { messageId: cardId });
  await h.drain();
  await made.press(t("officer.btn.info"), { messageId: cardId });
  await h.drain();
  await made.send("Boleh kirim foto mesinnya?", { replyTo: lastBotMessage(h, GROUP, /tulis pertanyaan/).message_id });
  await h.drain();
  await wa.dispatcher.drain();
  await wa.say(wa.graph.buttonReply(NUMBER, answerButtonData(String(r._id))));
  await wa.say(wa.graph.image(NUMBER, wa.graph.addMedia(JPEG, "image/jpeg"), "Ini mesinnya"));
  await h.drain();
  const answer = (await Request.findById(r._id).lean())!.timeline.find((e) => e.kind === "answer")!;
  expect(answer).toMatchObject({ note: "Ini mesinnya", role: "member" });
  expect(answer.attachments?.[0]).toMatchObject({ kind: "photo" });
  const relayed = uploadsTo(GROUP, "sendPhoto").at(-1)!;
  expect(relayed.files?.photo?.content.equals(JPEG)).toBe(true);
  expect(String(relayed.payload.caption)).toContain("Ini mesinnya");

  // The officer sends a photo back: uploaded to Meta from the Telegram file, then sent by its id.
  await messageMember(h, made, cardId, { photo: "officer-photo-1", caption: "Suku cadang seperti ini?" });
  await h.drain();
  await wa.dispatcher.drain();
  expect(officerFiles).toEqual(["officer-photo-1"]);
  const image = wa.graph.sent.filter((m) => m.to === NUMBER && m.type === "image").at(-1)!;
  const id = (image.payload.image as { id: string }).id;
  expect(wa.graph.media.get(id)?.bytes.toString()).toBe("telegram file officer-photo-1");
  expect(wa.graph.htmlLeaks).toEqual([]);
});

test("a photo over the limit is refused plainly; nothing is stored and the question stays", async () => {
  await wa.say(wa.graph.listReply(NUMBER, "menu:produksi"));
  for (const step of ["1", "1"]) await wa.say(wa.graph.text(NUMBER, step));
  await wa.say(wa.graph.image(NUMBER, wa.graph.addMedia(Buffer.alloc(5 * 1024 * 1024 + 1, 1), "image/jpeg")));
  const [refusal, again] = wa.graph.textsTo(NUMBER).slice(-2);
  expect(refusal).toBe(plain("whatsapp.media_too_big"));
  expect(again.startsWith(plain("request.produksi.photos"))).toBe(true);
  expect(await WhatsAppMedia.countDocuments()).toBe(0);
});
