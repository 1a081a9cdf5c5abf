/**
 * A sentra's invitation: the bot's deep link `t.me/<bot>?start=s-<slug>` (registration with the
 * kecamatan and sentra filled in), its WhatsApp twin `wa.me/<number>?text=Daftar s-<slug>` (the chat
 * opens with that text, which the WhatsApp channel reads the same way), and a QR code picture of
 * either to print for the sentra's meeting place.
 */
import QRCode from "qrcode";

const PAYLOAD = /^s-([a-z0-9-]{1,60})$/;

/** The /start payload of a sentra's link. */
export function sentraStartPayload(slug: string): string {
  return `s-${slug}`;
}

/** The sentra's slug in a /start payload, if it is one. */
export function slugFromStartPayload(payload: string): string | null {
  return PAYLOAD.exec(payload.trim())?.[1] ?? null;
}

export function sentraLink(botUsername: string, slug: string): string {
  return `https://t.me/${botUsername}?start=${sentraStartPayload(slug)}`;
}

/** The sentra's WhatsApp link: the business number's chat, opened with "Daftar s-<slug>" typed. */
export function sentraWhatsAppLink(number: string, slug: string): string {
  return `https://wa.me/${number}?text=${encodeURIComponent(`Daftar ${sentraStartPayload(slug)}`)}`;
}

/** The sentra's slug in the text a WhatsApp link opens with ("Daftar s-amerta-jaya"), if it is that. */
export function slugFromWhatsAppText(text: string): string | null {
  const m = /^daftar\s+(\S+)$/i.exec(text.trim());
  return m ? slugFromStartPayload(m[1].toLowerCase()) : null;
}

/** The link as a PNG picture, large enough to print (1,080 pixels square). */
export function sentraQrPng(link: string): Promise<Buffer> {
  return QRCode.toBuffer(link, { type: "png", width: 1080, margin: 4, errorCorrectionLevel: "M" });
}
