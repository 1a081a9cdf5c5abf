/** What an outbox item says (OutboxMessage) and the facts kept for its sending (OutboxRef); domain/outbox.ts queues them. */
import type { PromptAction } from "./officer-actions";
import type { MessageRefKind } from "./message-refs";
import type { Locale } from "../config";
import type { ProgramEvent } from "../vocabulary/programs";

/**
 * What an item says, without saying how: the Telegram layer (src/telegram/outbox-messages.ts) turns
 * it into a Bot API call when it is sent, from the database as it is then (an erased member's
 * data is gone from it; a changed request shows its latest state). Items of kinds "alert", "card"
 * and "officer_contact" need none: they are rendered from their request.
 */
export type OutboxMessage =
  /** The message a request's timeline entry causes for the item's kind (relay, status change, acknowledgement). */
  | { type: "entry"; entry: number }
  /** The request's first photo or its voice note, for the group. */
  | { type: "request_media"; media: "photo" | "voice" }
  /** All the request's photos, for the officer who claimed it. */
  | { type: "request_photos" }
  /** Asks the officer for the question, note or reason of an action. */
  | { type: "prompt"; action: PromptAction; officerId: number; officerName: string }
  /** A sentra's chairperson is asked to confirm a member. */
  | { type: "membership_review"; memberId: string; sentraId: string; locale?: Locale }
  /** An application to chair a sentra, with buttons to decide it. */
  | { type: "chair_request"; applicationId: string }
  /** After selesai: asks the member whether the problem is solved (Sudah / Belum), while that is still open. */
  | { type: "closure_ask" }
  /** The officers' morning digest (sla-jobs.ts): the requests of each list, rendered when sent. */
  | { type: "sla_digest"; day: string; unclaimed: string[]; dueToday: string[]; overdue: string[]; waiting: string[] }
  /** An officer's own overdue requests, privately (sla-jobs.ts). */
  | { type: "sla_officer"; day: string; requestIds: string[] }
  /** The item's request is overdue by the escalation limit: told to an admin privately. */
  | { type: "sla_escalation" }
  /** The member has not answered the question of the item's request: one reminder, with the Jawab button. */
  | { type: "sla_info_reminder" }
  /** Last month's recap for an admin (monthly-report-job.ts): its pictures, or its workbook; made when sent. */
  | { type: "monthly_report"; month: string; part: "pictures" | "workbook" }
  /** About a program, to a member (domain/program-notices.ts): written from the program when sent. */
  | { type: "program"; programId: string; event: ProgramEvent }
  /** A locale text, in the recipient's language (a member's stored choice, else `locale`). */
  | { type: "text"; key: string; vars?: Record<string, string | number>; locale?: Locale };

/** Facts about an item for its sending and for the bookkeeping after it (stored as JSON text). */
export interface OutboxRef {
  /** The sent message(s) belong to the request as this kind (replies to them are routed by it). */
  messageRef?: MessageRefKind;
  /** The officer prompt the message asks (its reply answers the prompt). */
  promptId?: string;
  /** Once delivered, the officer's message that caused it gets a 👌 reaction. */
  react?: { chatId: number; messageId: number };
  /** Send without formatting (a retry after the group refused the HTML). */
  plain?: boolean;
  /** Send a media message's caption as a plain text message (the group refuses that media). */
  asText?: boolean;
  /** A send made directly by a feature, recorded for the group's budget only. */
  direct?: boolean;
  /** WhatsApp: how many of the item's messages went before a failure (a retry sends the rest). */
  waSent?: number;
}
