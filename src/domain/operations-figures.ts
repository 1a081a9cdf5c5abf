/**
 * The figures an operator watches, read from the database when `/metrics` is scraped
 * (server/metrics.ts): the outbox's depth and its oldest waiting item per channel, the dialogues
 * open on each channel, requests by status and those past their deadline, the officers' group
 * budget used in the last minute, and scheduled job runs by outcome. Counts only: no names, no
 * numbers. Each is one query (aggregations where a count per value is wanted).
 */
import { Outbox } from "../db/models/outbox";
import { Request } from "../db/models/request";
import { ConversationState } from "../db/models/conversation-state";
import { WhatsAppSession } from "../db/models/whatsapp-session";
import { JobRun } from "../db/models/job-run";
import { OPEN_STATUSES } from "../vocabulary/statuses";
import { groupSendsSince } from "./outbox";

export interface OperationsFigures {
  /** Per channel: items waiting, the oldest one's age, and items given up (kept as `failed`). */
  outbox: { channel: string; pending: number; oldestSeconds: number; failed: number }[];
  dialogues: { channel: string; open: number }[];
  requests: { status: string; count: number }[];
  pastDeadline: number;
  groupSendsLastMinute: number;
  jobRuns: { job: string; outcome: "done" | "failed" | "running"; count: number }[];
}

export async function operationsFigures(now: Date): Promise<OperationsFigures> {
  const oldest = (channel: "telegram" | "whatsapp") =>
    Outbox.findOne({ status: "pending", ...(channel === "telegram" ? { channel: { $ne: "whatsapp" } } : { channel }) }, { createdAt: 1 })
      .sort({ createdAt: 1 })
      .lean<{ createdAt: Date }>();
  const [outbox, oldestTelegram, oldestWhatsApp, telegramDialogues, whatsappDialogues, requests, pastDeadline, groupSends, jobs] = await Promise.all([
    // Counts by channel and status; the oldest by a sorted read ($min is not in FerretDB v1's $group).
    Outbox.aggregate<{ _id: { channel: string | null; status: string }; n: number }>([
      { $match: { status: { $in: ["pending", "failed"] } } },
      { $group: { _id: { channel: "$channel", status: "$status" }, n: { $sum: 1 } } },
    ]),
    oldest("telegram"),
    oldest("whatsapp"),
    ConversationState.countDocuments({}),
    WhatsAppSession.countDocuments({ dialogue: { $ne: null } }),
    Request.aggregate<{ _id: string; count: number }>([{ $group: { _id: "$status", count: { $sum: 1 } } }]),
    Request.countDocuments({ status: { $in: OPEN_STATUSES }, "sla.dueAt": { $lt: now } }),
    groupSendsSince(new Date(now.getTime() - 60_000)),
    JobRun.find({}, { job: 1, finishedAt: 1, error: 1 }).lean(),
  ]);
  const of = (channel: string, status: string) => outbox.find((o) => (o._id.channel ?? "telegram") === channel && o._id.status === status);
  const runs = new Map<string, number>();
  for (const r of jobs) {
    const outcome = r.finishedAt ? "done" : r.error ? "failed" : "running";
    const key = `${r.job}\u0000${outcome}`;
    runs.set(key, (runs.get(key) ?? 0) + 1);
  }
  return {
    outbox: ["telegram", "whatsapp"].map((channel) => {
      const first = channel === "telegram" ? oldestTelegram : oldestWhatsApp;
      return {
        channel,
        pending: of(channel, "pending")?.n ?? 0,
        oldestSeconds: first ? Math.max(0, (now.getTime() - first.createdAt.getTime()) / 1000) : 0,
        failed: of(channel, "failed")?.n ?? 0,
      };
    }),
    dialogues: [
      { channel: "telegram", open: telegramDialogues },
      { channel: "whatsapp", open: whatsappDialogues },
    ],
    requests: requests.map((r) => ({ status: r._id, count: r.count })),
    pastDeadline,
    groupSendsLastMinute: groupSends.length,
    jobRuns: [...runs].map(([key, count]) => {
      const [job, outcome] = key.split("\u0000") as [string, "done" | "failed" | "running"];
      return { job, outcome, count };
    }),
  };
}
