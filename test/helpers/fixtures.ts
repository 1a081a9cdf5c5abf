/** Small data builders shared by the tests of status, reports, membership and visibility. */
import { seedSentras, listSentras, type SentraView } from "../../src/domain/sentras";
import { SLA_DEFAULTS } from "../../src/vocabulary/service-levels";
import { registerMember, type MemberView, type Registration } from "../../src/domain/members";
import type { AnswerValue, Attachment } from "../../src/domain/requests";
import { submitRequest } from "../../src/domain/workflow";
import type { RequestType } from "../../src/vocabulary/request-types";
import { clearDatabase } from "./db";

/** An empty database with two sentras: "Sentra Satu" (Mengwi) and "Sentra Dua" (Kuta). */
export async function twoSentras(): Promise<{ s1: SentraView; s2: SentraView }> {
  await clearDatabase();
  await seedSentras([
    { slug: "satu", name: "Sentra Satu", kecamatan: "Mengwi" },
    { slug: "dua", name: "Sentra Dua", kecamatan: "Kuta" },
  ]);
  const sentras = await listSentras();
  return { s1: sentras.find((s) => s.slug === "satu")!, s2: sentras.find((s) => s.slug === "dua")! };
}

/** A registered member of `sentraId` (Mengwi, keripik) with overridable details; the phone shared with the contact button (verified) unless said. */
export function testMember(telegramId: number, sentraId: string | null, over: Partial<Registration> = {}): Promise<MemberView> {
  return registerMember(
    telegramId,
    {
      name: `Nama ${telegramId}`,
      phone: `+62812${telegramId}`,
      phoneVerified: true,
      businessName: `Usaha ${telegramId}`,
      products: "keripik",
      kecamatan: "Mengwi",
      sentraId,
      sentraWish: sentraId ? null : "later",
      ...over,
    },
    new Date(),
  );
}

let seq = 0;

/** A request of `member` submitted through the domain (as the dialogue does: saved, alert queued), at `now`. */
export function testRequest(member: MemberView, type: RequestType, now = new Date(), answers: Record<string, AnswerValue> = { what: "x" }, attachments: Attachment[] = []) {
  return submitRequest({
    sla: SLA_DEFAULTS,
    type,
    member: { id: member.id, telegramId: member.telegramId, sentraId: member.sentraId, kecamatan: member.kecamatan ?? "Mengwi" },
    answers,
    attachments,
    sourceKey: `fixture-${process.pid}-${seq++}`,
    now,
  });
}
