/**
 * A small world for the officer workflow tests: an admin who links the officers' group, officers
 * added with /petugas, registered members, and requests saved with createRequest (as the request
 * dialogues do). Everything goes through the real bot and the real dispatcher.
 */
import path from "node:path";
import { clearDatabase } from "./db";
import { seedHolidayFiles } from "../../src/domain/holidays";
import type { Message } from "grammy/types";
import { Harness, TestUser, testConfig, type ApiCall } from "./harness";
import { tFor } from "../../src/i18n";
import { setMemberLocale, type MemberView } from "../../src/domain/members";
import { testMember, testRequest } from "./fixtures";
import { seedSentras, listSentras } from "../../src/domain/sentras";
import type { Attachment, AnswerValue, RequestView } from "../../src/domain/requests";
import { Request } from "../../src/db/models/request";
import type { RequestType } from "../../src/vocabulary/request-types";
import type { Kecamatan } from "../../src/vocabulary/kecamatan";

export const GROUP = -1001234567890;
export const ADMIN = 9000;
export const PHONE = "+6281234567890";

export function officerHarness(env: Record<string, string> = {}): Harness {
  return new Harness(testConfig({ ADMIN_IDS: String(ADMIN), ...env }));
}

export async function seedWorld(): Promise<{ sentraId: string }> {
  await seedSentras([
    { slug: "amerta-jaya", name: "Sentra IKM Amerta Jaya", kecamatan: "Mengwi" },
    { slug: "kuta-rasa", name: "Sentra Kuta Rasa", kecamatan: "Kuta" },
  ]);
  const sentra = (await listSentras()).find((s) => s.slug === "amerta-jaya")!;
  return { sentraId: sentra.id };
}

/** The admin links the group; returns the admin as a group user. */
export async function linkGroup(h: Harness): Promise<TestUser> {
  const admin = h.inGroup(GROUP, ADMIN, { first_name: "Admin", last_name: "Diskop" });
  await admin.send("/sambungkan");
  return admin;
}

/**
 * The admin adds an officer with what they handle (e.g. "kemasan, Mengwi") by replying to one of
 * the officer's messages in the group, confirms, and the answer is delivered.
 */
export async function addOfficer(h: Harness, admin: TestUser, id: number, name: string, handles: string): Promise<TestUser> {
  const officer = h.inGroup(GROUP, id, { first_name: name });
  await admin.send(`/petugas tambah ${handles}`, { replyTo: officer.ownMessage("siap") });
  await admin.press("Ya, simpan");
  await h.drain();
  return officer;
}

let memberSeq = 0;
/** A registered member (the shared fixture) with the details these tests look for on cards. */
export async function newMember(
  telegramId: number,
  opts: { name?: string; kecamatan?: Kecamatan; sentraId?: string | null; locale?: "id" | "en"; phone?: string } = {},
): Promise<MemberView> {
  memberSeq++;
  const member = await testMember(telegramId, opts.sentraId ?? null, {
    name: opts.name ?? `Anggota ${memberSeq}`,
    phone: opts.phone ?? PHONE,
    businessName: `UD Usaha ${memberSeq}`,
    products: "keripik bayam, kue potong",
    kecamatan: opts.kecamatan ?? "Mengwi",
  });
  if (opts.locale) await setMemberLocale(telegramId, opts.locale);
  return { ...member, ...(opts.locale ? { locale: opts.locale } : {}) };
}

/** Answers that fit each type's definition, so cards show real lines. */
const SAMPLE: Record<RequestType, Record<string, AnswerValue>> = {
  produksi: { category: "peralatan", product: "keripik bayam", description: "Mesin pengiris rusak sejak kemarin", urgency: "berhenti_baru" },
  kemasan: { product: "keripik bayam", wants: ["desain_label", "isi_label"], quantity: "qty_100_500" },
  pemasaran: { product: "kue potong", channels: ["warung"], wants: ["ikut_marketplace"], sales: "omzet_1_5" },
  modal: { purpose: "peralatan", amount: 5_000_000, scope: "sendiri" },
  pelatihan: { topic: "topik_kemasan", scope: "sentra" },
};

/** A request saved exactly as the dialogues save it. */
export function newRequest(member: MemberView, type: RequestType = "kemasan", opts: { attachments?: Attachment[]; now?: Date } = {}): Promise<RequestView> {
  return testRequest(member, type, opts.now ?? new Date(), SAMPLE[type], opts.attachments ?? []);
}

export async function cardMessageId(requestId: string): Promise<number> {
  const doc = await Request.findById(requestId).lean();
  const id = doc?.card?.messageId;
  if (!id) throw new Error(`request ${requestId} has no card yet`);
  return id;
}

/** The card as it stands now in the fake Telegram (after edits). */
export async function cardText(h: Harness, requestId: string): Promise<string> {
  const msg = h.telegram.messages.get(`${GROUP}:${await cardMessageId(requestId)}`);
  return String(msg?.text ?? "");
}

/** Every text and caption the bot sent or edited into the group. */
export function groupTexts(h: Harness): string[] {
  return h.telegram.calls.filter((c) => !c.failed && Number(c.payload.chat_id) === GROUP).map((c) => String(c.payload.text ?? c.payload.caption ?? ""));
}

/** The newest bot message in `chatId` whose text matches. */
export function lastBotMessage(h: Harness, chatId: number, match: RegExp): Message {
  const found = [...h.telegram.messages.values()].filter((m) => (m.chat as { id: number }).id === chatId && match.test(String(m.text ?? m.caption ?? ""))).at(-1);
  if (!found) throw new Error(`no bot message in ${chatId} matching ${match}`);
  return found as unknown as Message;
}

/**
 * The usual start of an officer test: a fresh database, the group linked by the admin, and one
 * officer, Made (9101), handling `handles`. `at`: the harness clock, set before anything is sent;
 * `holidays`: the shipped holiday calendar seeded (the service-level tests).
 */
export async function officerWorld(
  handles = "kemasan, pemasaran",
  opts: { at?: Date; holidays?: boolean } = {},
): Promise<{ h: Harness; admin: TestUser; made: TestUser; sentraId: string }> {
  await clearDatabase();
  const { sentraId } = await seedWorld();
  if (opts.holidays) await seedHolidayFiles(path.resolve(__dirname, "..", "..", "data", "holidays"));
  const h = officerHarness();
  if (opts.at) h.clock.set(opts.at);
  const admin = await linkGroup(h);
  const made = await addOfficer(h, admin, 9101, "Made", handles);
  return { h, admin, made, sentraId };
}

/** What an officer sends to a member through the card's *Pesan ke anggota*. */
export type ToMember = string | { photo: string; caption?: string } | { voice: string } | { sticker: true };

/**
 * The officer writes to the member the one way there is: presses *Pesan ke anggota* on the card,
 * then replies to the bot's prompt with `content`. Returns the calls of that reply.
 */
export async function messageMember(h: Harness, officer: TestUser, cardId: number, content: ToMember): Promise<ApiCall[]> {
  await officer.press(tFor("id")("officer.btn.message"), { messageId: cardId });
  await h.drain();
  const prompt = lastBotMessage(h, GROUP, /tulis pesan untuk anggota/).message_id;
  if (typeof content === "string") return officer.send(content, { replyTo: prompt });
  if ("photo" in content) return officer.photo(content.photo, { caption: content.caption, replyTo: prompt });
  if ("voice" in content) return officer.voice(content.voice, 7, { replyTo: prompt });
  return officer.sticker({ replyTo: prompt });
}
