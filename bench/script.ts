/** The member's side of our Kendala produksi dialogue, as the benchmark drives it. */
import type { Update } from "grammy/types";
import type { BenchTelegram } from "./fake-telegram";
import { callbackUpdate, photoUpdate, textUpdate } from "./updates";
import { tFor } from "../src/i18n";

/** One answer: built from what the bot last showed the member (which button to press). */
export type Move = (tg: BenchTelegram, userId: number) => Update;

const t = tFor("id");
const press =
  (label: string): Move =>
  (tg, id) => {
    const b = tg.button(id, label);
    return callbackUpdate(id, b.data, b.messageId, b.message);
  };

/** From the main-menu button to "Kirim": 8 updates (the shortest path with one photo). */
export const PRODUKSI_SCRIPT: Move[] = [
  (_tg, id) => textUpdate(id, t("request.menu.produksi")),
  press(t("request.opt.bahan_baku")),
  press("kue potong"),
  (_tg, id) => photoUpdate(id, `photo-${id}`),
  press(t("dialog.done")),
  (_tg, id) => textUpdate(id, "Minyak goreng langka, harganya naik dua kali lipat."),
  press(t("request.opt.berhenti_baru")),
  press(t("request.send")),
];

/** What the member's products are (the product question offers these). */
export const BENCH_PRODUCTS = "kue potong, pastel dan keripik bayam";
