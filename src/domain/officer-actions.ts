/** What an officer can do to a request from its card, and the status each action leads to. */
import type { Status } from "../vocabulary/statuses";
import type { Locale } from "../config";

/** The officers' group reads Indonesian. */
export const STAFF_LOCALE: Locale = "id";

export const OFFICER_ACTIONS = ["claim", "review", "info", "follow", "done", "reject", "message"] as const;
export type OfficerAction = (typeof OFFICER_ACTIONS)[number];
/** The actions that change the status. */
export type StatusAction = Exclude<OfficerAction, "claim" | "message">;
/** The actions that ask the officer for something first: a question, a note, a reason, a message to the member. */
export type PromptAction = Exclude<OfficerAction, "claim" | "review" | "follow">;

export const ACTION_STATUS: Record<StatusAction, Status> = {
  review: "ditelaah",
  info: "perlu_info",
  follow: "ditindaklanjuti",
  done: "selesai",
  reject: "ditolak",
};

/** The action that leads to a status (every status an officer can choose has one). */
export function actionFor(status: Status): StatusAction | undefined {
  return (Object.keys(ACTION_STATUS) as StatusAction[]).find((a) => ACTION_STATUS[a] === status);
}

export function isStatusAction(action: OfficerAction): action is StatusAction {
  return action in ACTION_STATUS;
}
