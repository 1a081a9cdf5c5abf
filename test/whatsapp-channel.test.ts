/**
 * A member on WhatsApp, end to end through the real HTTP server (/whatsapp), the durable inbox, the
 * worker and the channel (whatsapp/channel.ts), against the strict fake Graph API and the test
 * database: the member registered on Telegram with the same number is the same member (linked on
 * the first message), picks a request type from the menu, answers by buttons and by typing, sends
 * it and gets the tracking code; the request is filed for that member. A webhook delivered again
 * files nothing twice; Graph API failures deliver the replies later and advance nothing twice; an
 * unknown number and a sticker get a clear answer.
 */
import { useTestDatabase, clearDatabase } from "./helpers/db";
import { silentLogger } from "./helpers/harness";
import { registeredMember } from "./helpers/requests";
import { FakeGraphApi } from "./helpers/fake-graph-api";
import { textOf } from "./helpers/localeText";
import { createHttpServer, type HttpServer } from "../src/server/http-server";
import { whatsappEndpoint, WHATSAPP_PATH } from "../src/whatsapp/endpoint";
import { startInboundWorker, type InboundWorker } from "../src/whatsapp/worker";
import { createWhatsAppChannel } from "../src/whatsapp/channel";
import { WhatsAppClient } from "../src/whatsapp/client";
import { htmlToWhatsApp } from "../src/whatsapp/format";
import { Member } from "../src/db/models/member";
import { Request } from "../src/db/models/request";
import { WhatsAppInbound } from "../src/db/models/whatsapp-inbound";
import { WhatsAppSession } from "../src/db/models/whatsapp-session";
import { eraseMemberData } from "../src/domain/privacy";
import { SLA_DEFAULTS } from "../src/config";

useTestDatabase();

const TOKEN = "EAAG" + "k".repeat(40);
const PHONE_ID = "106540352242922";
const SECRET = "0123456789abcdef0123";
const NUMBER = "6281234567890"; // registeredMember's phone, as WhatsApp gives it
const graph = new FakeGraphApi(TOKEN, PHONE_ID);
let server: HttpServer;
let url = "";
let worker: InboundWorker;

beforeAll(async () => {
  const root = await graph.start();
  const client = new WhatsAppClient({ accessToken: TOKEN, phoneNumberId: PHONE_ID, apiRoot: root });
  const handle = createWhatsAppChannel({ client, config: { sla: { ...SLA_DEFAULTS }, defaultLocale: "id" }, logger: silentLogger, clock: () => new Date() });
  worker = startInboundWorker(handle, { logger: silentLogger, clock: () => new Date(), idleMs: 50, retryAfterMs: 50 });
  server = createHttpServer({
    port: 0,
    host: "127.0.0.1",
    logger: silentLogger,
    healthy: async () => true,
    endpoints: [whatsappEndpoint({ appSecret: SECRET, verifyToken: "verify-me-1" }, { logger: silentLogger, clock: () => new Date(), inbox: worker })],
  });
  url = `http://127.0.0.1:${(await server.listen()).port}${WHATSAPP_PATH}`;
});
afterAll(async () => {
  await worker.stop();
  await server.close();
  await graph.stop();
});
beforeEach(async () => {
  await clearDatabase();
  graph.sent.length = 0;
  graph.refused.length = 0;
});

/** The member writes (opening the 24-hour window, as Meta does), and the bot has answered. */
async function say(message: Record<string, unknown>, times = 1): Promise<void> {
  graph.inbound(String(message.from));
  for (let i = 0; i < times; i++) expect(await FakeGraphApi.post(url, FakeGraphApi.webhook([message]), SECRET)).toBe(200);
  await worker.drained();
}
const last = (to = NUMBER) => graph.sent.filter((m) => m.to === to).at(-1)!;
const lastBody = (to = NUMBER) => graph.textsTo(to).at(-1)!;
const plain = (key: string, vars?: Record<string, unknown>) => htmlToWhatsApp(textOf(key, vars));

/** Pelatihan on its shortest path: menu → type → topic (typed "1") → scope (button) → skip the goal → Kirim. */
async function filePelatihan(): Promise<void> {
  await say(graph.text(NUMBER, "halo"));
  await say(graph.listReply(NUMBER, "menu:pelatihan"));
  expect(graph.textsTo(NUMBER).slice(-2)[0]).toBe(plain("request.intro", { type: textOf("labels.type.pelatihan") }));
  await say(graph.text(NUMBER, "1"));
  await say(graph.buttonReply(NUMBER, "o0"));
  await say(graph.text(NUMBER, "lewati"));
  expect(last().type).toBe("interactive");
  await say(graph.buttonReply(NUMBER, "send"));
}

test("a member registered on Telegram is linked by the verified number and files a request on WhatsApp", async () => {
  const member = await registeredMember(8101);
  await say(graph.text(NUMBER, "halo", "Bu Ketut"));
  expect(await Member.findById(member.id).lean()).toMatchObject({ whatsapp: { waId: NUMBER } });
  expect(last().payload).toMatchObject({ type: "interactive", interactive: { type: "list" } });
  expect(lastBody()).toBe(plain("whatsapp.menu"));
  await filePelatihan();
  const saved = await Request.find().lean();
  expect(saved).toHaveLength(1);
  expect(saved[0]).toMatchObject({ type: "pelatihan", memberTelegramId: 8101, status: "diterima" });
  expect(Object.keys(saved[0].answers ?? {}).sort()).toEqual(["scope", "topic"]);
  expect(lastBody()).toContain(saved[0].code);
  expect(graph.htmlLeaks).toEqual([]);
  expect(graph.refused).toEqual([]);
});

test("a phone typed on Telegram links only after the person on WhatsApp says it is them; 'Bukan' registers them apart", async () => {
  const member = await registeredMember(8111, { typedPhone: true });
  await say(graph.text(NUMBER, "halo"));
  expect(graph.textsTo(NUMBER).slice(-2)).toEqual([plain("whatsapp.welcome"), plain("whatsapp.link_ask", { name: member.name })]);
  expect((await Member.findById(member.id).lean())?.whatsapp).toBeUndefined();
  // A forged id is not a yes: the question again.
  await say(graph.buttonReply(NUMBER, "link:yes:someone-else"));
  expect(lastBody()).toBe(plain("whatsapp.link_ask", { name: member.name }));
  await say(graph.text(NUMBER, "1"));
  expect(await Member.findById(member.id).lean()).toMatchObject({ whatsapp: { waId: NUMBER }, channel: "whatsapp" });
  expect((await Member.findById(member.id).lean())?.phoneVerifiedAt).toBeTruthy();
  expect(lastBody().startsWith(plain("whatsapp.linked", { name: member.name }))).toBe(true);

  // Another typed phone, another person: "Bukan" starts their own registration; the member is untouched.
  const other = "6281298765432";
  await registeredMember(8112, { typedPhone: true });
  await Member.updateOne({ telegramId: 8112 }, { $set: { phone: `+${other}` } });
  await say(graph.text(other, "halo"));
  await say(graph.buttonReply(other, "link:no"));
  expect(lastBody(other)).toBe(plain("onboarding.consent"));
  expect((await Member.findOne({ telegramId: 8112 }).lean())?.whatsapp).toBeUndefined();
});

test("a webhook delivered three times is handled once: one answer, one step, one request", async () => {
  await registeredMember(8102);
  await say(graph.text(NUMBER, "halo"));
  const before = graph.sent.length;
  await say(graph.listReply(NUMBER, "menu:pelatihan"), 3);
  // The intro and the first question, once.
  expect(graph.sent.length - before).toBe(2);
  await say(graph.text(NUMBER, "1"));
  await say(graph.buttonReply(NUMBER, "o0"));
  await say(graph.text(NUMBER, "lewati"));
  await say(graph.buttonReply(NUMBER, "send"), 3);
  expect(await Request.countDocuments()).toBe(1);
  expect(graph.textsTo(NUMBER).filter((x) => /PLT-/.test(x))).toHaveLength(1);
});

test("a message taken again after a crash, though handled before (its done mark lost), changes nothing and sends nothing", async () => {
  await registeredMember(8103);
  await say(graph.text(NUMBER, "halo"));
  await say(graph.listReply(NUMBER, "menu:pelatihan"));
  const topic = graph.text(NUMBER, "1");
  await say(topic);
  await say(graph.buttonReply(NUMBER, "o0"));
  const session = await WhatsAppSession.findOne().lean();
  const sent = graph.sent.length;
  // The process died before the done mark of "1" was written, and its lease ran out: the loops take it again.
  await WhatsAppInbound.updateOne({ _id: String(topic.id) }, { $set: { status: "handling", leaseUntil: new Date(Date.now() - 1) } });
  worker.wake();
  await worker.drained();
  expect(await WhatsAppInbound.findById(String(topic.id)).lean()).toMatchObject({ status: "done", attempts: 2 });
  // "1" at the goal question would have been an answer: the dialogue is where it was, and nothing was said.
  expect(graph.sent.length).toBe(sent);
  expect(await WhatsAppSession.findOne().lean()).toMatchObject({ dialogue: session!.dialogue, handled: session!.handled });
});

test("Graph API failures (500, 130429, a dropped connection): the replies arrive later, once, and the dialogue advanced once", async () => {
  await registeredMember(8103);
  await say(graph.text(NUMBER, "halo"));
  graph.failNext(1, { status: 500, code: 131000 });
  graph.failNext(1, { status: 429, code: 130429 });
  graph.failNext(1, { status: 0, code: 0, drop: true });
  await say(graph.listReply(NUMBER, "menu:pelatihan"));
  for (let i = 0; i < 100 && (await WhatsAppInbound.countDocuments({ status: { $ne: "done" } })) > 0; i++) await new Promise((r) => setTimeout(r, 50));
  const texts = graph.textsTo(NUMBER);
  expect(texts.filter((x) => x === plain("request.intro", { type: textOf("labels.type.pelatihan") }))).toHaveLength(1);
  expect(texts.at(-1)!.startsWith(plain("request.pelatihan.topic"))).toBe(true);
  expect(texts.filter((x) => x.startsWith(plain("request.pelatihan.topic")))).toHaveLength(1);
  await say(graph.text(NUMBER, "1"));
  expect(lastBody().startsWith(plain("request.pelatihan.scope"))).toBe(true);
  // A photo where a choice is asked: the same answer as on Telegram, the same question again.
  await say(graph.image(NUMBER, graph.addMedia(Buffer.from("jpeg"), "image/jpeg")));
  const [media, asked] = graph.textsTo(NUMBER).slice(-2);
  expect(media).toBe(plain("dialog.expect_choice"));
  expect(asked.startsWith(plain("request.pelatihan.scope"))).toBe(true);
  await say(graph.text(NUMBER, "2"));
  expect(lastBody().startsWith(htmlToWhatsApp(textOf("request.pelatihan.goal")))).toBe(true);
});

test("an unknown number is welcomed and asked for consent; a sticker or a wrong answer gets a clear answer and loses nothing", async () => {
  await say(graph.text("6289999999999", "halo"));
  expect(graph.textsTo("6289999999999").slice(-2)).toEqual([plain("whatsapp.welcome"), plain("onboarding.consent")]);
  expect(await Member.countDocuments()).toBe(0);
  await registeredMember(8104);
  await say(graph.sticker(NUMBER));
  expect(graph.textsTo(NUMBER).slice(-2)[0]).toBe(plain("whatsapp.unsupported"));
  await say(graph.listReply(NUMBER, "menu:pelatihan"));
  await say(graph.sticker(NUMBER));
  const [answer, again] = graph.textsTo(NUMBER).slice(-2);
  expect(answer).toBe(plain("dialog.expect_choice"));
  // The topics are too long for buttons or a list: numbered, every one of them, to type.
  expect(again.startsWith(plain("request.pelatihan.topic"))).toBe(true);
  expect(again).toContain("6. ");
  await say(graph.text(NUMBER, "x".repeat(50)));
  expect(lastBody().startsWith(plain("request.pelatihan.topic"))).toBe(true);
  await say(graph.text(NUMBER, "1"));
  expect(lastBody().startsWith(plain("request.pelatihan.scope"))).toBe(true);
  // A photo where a choice is asked: the same answer as on Telegram, the same question again.
  await say(graph.image(NUMBER, graph.addMedia(Buffer.from("jpeg"), "image/jpeg")));
  const [media, asked] = graph.textsTo(NUMBER).slice(-2);
  expect(media).toBe(plain("dialog.expect_choice"));
  expect(asked.startsWith(plain("request.pelatihan.scope"))).toBe(true);
  await say(graph.text(NUMBER, "2"));
  expect(lastBody().startsWith(htmlToWhatsApp(textOf("request.pelatihan.goal")))).toBe(true);
});

test("/hapusdata forgets the WhatsApp side too: the link, the messages received and the dialogue", async () => {
  await registeredMember(8105);
  await say(graph.text(NUMBER, "halo"));
  await say(graph.listReply(NUMBER, "menu:pelatihan"));
  expect(await WhatsAppInbound.countDocuments()).toBe(2);
  expect(await WhatsAppSession.countDocuments()).toBe(1);
  await eraseMemberData(8105, new Date());
  expect(await WhatsAppInbound.countDocuments()).toBe(0);
  expect(await WhatsAppSession.countDocuments()).toBe(0);
  expect((await Member.findOne().lean())?.whatsapp).toBeUndefined();
  // The number is a stranger again: asked to register.
  await say(graph.text(NUMBER, "halo"));
  expect(graph.textsTo(NUMBER).slice(-2)).toEqual([plain("whatsapp.welcome"), plain("onboarding.consent")]);
});
