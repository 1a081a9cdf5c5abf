/** What an officer can do to a request from its card, and the status each action leads to. */
import type { Status } from "./statuses";
import type { Locale } from "../config";

/** The officers' group reads Indonesian. */
export const STAFF_LOCALE: Locale = "id";

export const OFFICER_ACTIONS = ["claim", "review", "info", "follow", "done", "reject"] as const;
export type OfficerAction = (typeof OFFICER_ACTIONS)[number];
/** The actions that ask the officer for a question, a note or a reason first. */
export type PromptAction = Exclude<OfficerAction, "claim" | "review" | "follow">;

export const ACTION_STATUS: Record<Exclude<OfficerAction, "claim">, Status> = {
  review: "ditelaah",
  info: "perlu_info",
  follow: "ditindaklanjuti",
  done: "selesai",
  reject: "ditolak",
};

/** The action that leads to a status (every status an officer can choose has one). */
export function actionFor(status: Status): Exclude<OfficerAction, "claim"> | undefined {
  return (Object.keys(ACTION_STATUS) as Exclude<OfficerAction, "claim">[]).find((a) => ACTION_STATUS[a] === status);
}
