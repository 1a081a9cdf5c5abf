/**
 * Where the outbox's sent messages went (chat and message ids), for the buttons and repairs that must
 * know which bot message belongs to what. Sent rows are kept 7 days (`pruneSent`).
 */
import { Types } from "mongoose";
import { Outbox } from "../db/models/outbox";
import { escapeRegex } from "../lib/text";
import type { OutboxMessage } from "./outbox";

/**
 * The messages the outbox sent about an application to chair (a week is kept; older ones are not
 * known: empty).
 */
export async function sentApplicationMessages(applicationId: string): Promise<{ chatId: number; messageId: number }[]> {
  const docs = await Outbox.find({ status: "sent", kind: "membership", message: { $regex: escapeRegex(applicationId) } }, { chatId: 1, messageIds: 1, message: 1 }).lean();
  return docs
    .filter((d) => {
      const m = d.message ? (JSON.parse(d.message) as OutboxMessage) : null;
      return m?.type === "chair_request" && m.applicationId === applicationId && typeof d.chatId === "number";
    })
    .flatMap((d) => (d.messageIds ?? []).map((messageId) => ({ chatId: d.chatId as number, messageId })));
}

/** Where the alerts (cards) of these requests went, for those sent with a known chat and message. */
export async function sentAlerts(requestIds: string[]): Promise<{ requestId: string; chatId: number; messageId: number }[]> {
  if (requestIds.length === 0) return [];
  const docs = await Outbox.find(
    { kind: "alert", status: "sent", requestId: { $in: requestIds.map((id) => new Types.ObjectId(id)) } },
    { requestId: 1, chatId: 1, messageIds: 1 },
  ).lean();
  return docs
    .filter((d) => typeof d.chatId === "number" && typeof d.messageIds?.[0] === "number")
    .map((d) => ({ requestId: String(d.requestId), chatId: d.chatId as number, messageId: d.messageIds![0] }));
}
