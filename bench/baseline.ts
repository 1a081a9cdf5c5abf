/**
 * The baseline: bare grammY + conversations, state in MongoDB as a JSON string (no cache), running a
 * dialogue of the same shape and length as Kendala produksi: a menu text starts it, then two
 * choices, a photo and "done", a typed description, two more choices, a summary with "Kirim", and
 * one saved document; each answered button is acknowledged and its question edited, like ours.
 * No sequentialize, no member lookup, no idempotency, no i18n: what any grammY bot needs at least.
 */
import { Bot, type Context } from "grammy";
import { conversations, createConversation, type Conversation, type ConversationFlavor, type VersionedStateStorage, type ConversationData } from "@grammyjs/conversations";
import type { Update } from "grammy/types";
import { Schema, model } from "mongoose";
import { BENCH_BOT, BENCH_TOKEN, type BenchTelegram } from "./fake-telegram";
import { callbackUpdate, photoUpdate, textUpdate } from "./updates";
import type { Move } from "./script";

const stateSchema = new Schema({ _id: { type: String, required: true }, data: { type: String, required: true } }, { versionKey: false });
const BaselineState = model("BenchBaselineState", stateSchema, "bench_baseline_states");
const BaselineRequest = model(
  "BenchBaselineRequest",
  new Schema({ memberTelegramId: Number, answers: Schema.Types.Mixed, photo: String, createdAt: Date }, { versionKey: false }),
  "bench_baseline_requests",
);

function storage(): VersionedStateStorage<string, ConversationData> {
  return {
    async read(key) {
      const doc = await BaselineState.findById(key, { data: 1 }).lean();
      return doc ? JSON.parse(doc.data) : undefined;
    },
    async write(key, state) {
      await BaselineState.updateOne({ _id: key }, { $set: { data: JSON.stringify(state) } }, { upsert: true });
    },
    async delete(key) {
      await BaselineState.deleteOne({ _id: key });
    },
  };
}

type Ctx = ConversationFlavor<Context>;
type Convo = Conversation<Ctx, Context>;

const MENU = "Lapor kendala produksi";
const OPTIONS = {
  category: ["Bahan baku", "Peralatan / mesin", "Tenaga kerja", "Mutu & kebersihan", "Perizinan", "Lainnya"],
  product: ["kue potong", "pastel", "keripik bayam"],
  urgency: ["Berhenti, baru minggu ini", "Berhenti sudah lama", "Terganggu, baru minggu ini", "Terganggu sudah lama"],
  summary: ["Kirim", "Ubah", "Batal"],
};

async function choice(conversation: Convo, ctx: Context, prompt: string, options: string[]): Promise<string> {
  await ctx.reply(prompt, { reply_markup: { inline_keyboard: options.map((o, i) => [{ text: o, callback_data: `c:${i}` }]) } });
  const c = await conversation.waitForCallbackQuery(/^c:\d$/, { otherwise: (o) => o.reply("Silakan pilih salah satu tombol.") });
  const picked = options[Number(c.callbackQuery.data.slice(2))];
  await c.answerCallbackQuery();
  await c.editMessageText(`${prompt}\n\n✅ ${picked}`);
  return picked;
}

async function dialogue(conversation: Convo, ctx: Context) {
  const userId = ctx.from!.id;
  await ctx.reply("Lapor kendala produksi: 5 pertanyaan singkat.");
  const category = await choice(conversation, ctx, "Apa jenis kendalanya?", OPTIONS.category);
  const product = await choice(conversation, ctx, "Produk mana yang terkena?", OPTIONS.product);
  await ctx.reply("Ada foto kendalanya? Kirim fotonya.", { reply_markup: { inline_keyboard: [[{ text: "Lewati", callback_data: "skip" }]] } });
  const photo = await conversation.waitFor("message:photo", { otherwise: (o) => o.reply("Kirim foto, atau tekan Lewati.") });
  await photo.reply("1 foto diterima.", { reply_markup: { inline_keyboard: [[{ text: "Selesai (1 foto)", callback_data: "done" }]] } });
  const done = await conversation.waitForCallbackQuery("done", { otherwise: (o) => o.reply("Tekan Selesai.") });
  await done.answerCallbackQuery();
  await done.editMessageText("1 foto disimpan.");
  await ctx.reply("Ceritakan apa yang terjadi.");
  const description = await conversation.waitFor("message:text", { otherwise: (o) => o.reply("Tulis dengan teks.") });
  const urgency = await choice(conversation, ctx, "Bagaimana produksinya sekarang, dan sejak kapan?", OPTIONS.urgency);
  const summary = `Ringkasan: ${category}, ${product}, ${description.message.text}, ${urgency}`;
  const action = await choice(conversation, ctx, summary, OPTIONS.summary);
  if (action !== "Kirim") return;
  const fileId = photo.message.photo.at(-1)!.file_id;
  const now = await conversation.now();
  await conversation.external(() =>
    BaselineRequest.create({
      memberTelegramId: userId,
      answers: { category, product, description: description.message.text, urgency },
      photo: fileId,
      createdAt: new Date(now),
    }).then(() => undefined),
  );
  await ctx.reply("Terkirim. Kode: BSL-0001");
}

export function createBaselineBot(tg: BenchTelegram) {
  const bot = new Bot<Ctx>(BENCH_TOKEN, { botInfo: BENCH_BOT, client: { fetch: tg.fetch as unknown as typeof fetch } });
  bot.use(conversations({ storage: { type: "key", version: 1, adapter: storage() } }));
  bot.use(createConversation(dialogue, { id: "produksi" }));
  bot.hears(MENU, (ctx) => ctx.conversation.enter("produksi"));
  return bot;
}

const press =
  (label: string): Move =>
  (tg, id) => {
    const b = tg.button(id, label);
    return callbackUpdate(id, b.data, b.messageId, b.message);
  };

/** The member's side of the baseline dialogue: 9 updates, like Kendala produksi. */
export const BASELINE_SCRIPT: Move[] = [
  (_tg, id): Update => textUpdate(id, MENU),
  press("Bahan baku"),
  press("kue potong"),
  (_tg, id) => photoUpdate(id, `photo-${id}`),
  press("Selesai (1 foto)"),
  (_tg, id) => textUpdate(id, "Minyak goreng langka, harganya naik dua kali lipat."),
  press("Berhenti, baru minggu ini"),
  press("Kirim"),
];

export async function dropBaselineData() {
  await Promise.all([BaselineState.deleteMany({}), BaselineRequest.deleteMany({})]);
}
