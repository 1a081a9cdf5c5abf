import { REQUEST_TYPES, type RequestType } from "../vocabulary/request-types";
/**
 * Every button's callback_data, in one place: each prefix is declared once, with how a press is
 * packed and the pattern that reads it back (the handlers use the patterns, `ctx.match` holds the
 * parts). Only what a button is about travels (an action, an id, a page); who pressed is always
 * taken from the update, never from the data. Telegram allows 64 bytes per button.
 *
 * Dialogue steps (`c:`, `m:`, `v:`, `tv:`, `ph:`, `pg:`) are read only by the dialogue that sent
 * them (its own wait, never a handler): they are declared here too so no prefix is used twice.
 */
import type { OfficerAction } from "../domain/officer-actions";

const OBJECT_ID = "([0-9a-f]{24})";

/** Officer card buttons: `oc:<action>:<request id>`. */
export const cardButtonData = (action: OfficerAction, requestId: string) => `oc:${action}:${requestId}`;
export const CARD_BUTTON = new RegExp(`^oc:(claim|review|info|follow|done|reject|message):${OBJECT_ID}$`);

/** The member's "Jawab" button under an officer's message: `ans:<request id>`. */
export const answerButtonData = (requestId: string) => `ans:${requestId}`;
export const ANSWER_BUTTON = new RegExp(`^ans:${OBJECT_ID}$`);

/** A chairperson approves or refuses a member of their sentra: `vm:a|r:<member id>`. */
export const membershipButtonData = (approve: boolean, memberId: string) => `vm:${approve ? "a" : "r"}:${memberId}`;
export const MEMBERSHIP_BUTTON = new RegExp(`^vm:(a|r):${OBJECT_ID}$`);

/** Officers or admins decide an application to chair a sentra: `ka:a|r:<application id>`. */
export const chairRequestButtonData = (approve: boolean, applicationId: string) => `ka:${approve ? "a" : "r"}:${applicationId}`;
export const CHAIR_REQUEST_BUTTON = new RegExp(`^ka:(a|r):${OBJECT_ID}$`);

/** A member confirms (or not) that they want to apply as chairperson. */
export const CHAIR_APPLY = { go: "kr:go", no: "kr:no" } as const;

/** An admin's confirmation of a staged change: `cf:ok|no:<confirmation id>`. */
export const confirmButtonData = (ok: boolean, confirmationId: string) => `cf:${ok ? "ok" : "no"}:${confirmationId}`;
export const CONFIRM_BUTTON = new RegExp(`^cf:(ok|no):${OBJECT_ID}$`);

/** /hapusdata: `pv:yes:<issued, unix seconds>` (an old confirmation is refused), or `pv:no`. */
export const erasureYesData = (issuedSeconds: number) => `pv:yes:${issuedSeconds}`;
export const ERASURE_YES = /^pv:yes:(\d{1,12})$/;
export const ERASURE_NO = "pv:no";

/** /status lists: a page of one's own (`m`) or the sentra's (`s`) requests, and one request's detail. */
export const statusPageData = (scope: "m" | "s", page: number, month?: string) => `st:${scope}:${page}${month ? `:${month.replace("-", "")}` : ""}`;
export const STATUS_PAGE = /^st:(m|s):(\d{1,4})(?::(\d{6}))?$/;
export const statusDetailData = (code: string) => `st:d:${code}`;
export const STATUS_DETAIL = /^st:d:([A-Z]{3}-\d{4}-\d{3,6})$/;

/** Language choice: `lang:id|en`. */
export const languageData = (locale: "id" | "en") => `lang:${locale}`;
export const LANGUAGE = /^lang:(id|en)$/;

/** The profile button under the main menu's answers. */
export const MENU_PROFILE = "menu:profile";

/** Admin menu: add or rename a sentra. */
export const ADMIN_SENTRA = { add: "adm:sentra:add", rename: "adm:sentra:rename" } as const;
export const ADMIN_SENTRA_BUTTON = /^adm:sentra:(add|rename)$/;

/** Leaving a dialogue for a command pressed mid-way: `dlg:leave:<action>`, or stay. */
export const LEAVE_PREFIX = "dlg:leave:";
export const LEAVE_DATA = /^dlg:leave:/;
export const STAY_DATA = "dlg:stay";

/** Dialogue steps (read by the dialogue's own wait). */
export const DIALOGUE = {
  choice: (i: number) => `c:${i}`,
  CHOICE: /^c:(\d{1,3})$/,
  /** A member picked from a list by their Telegram id (the admin's /ketua dialogue). */
  member: (telegramId: number) => `c:${telegramId}`,
  MEMBER: /^c:(\d{1,20})$/,
  multi: (i: number) => `m:${i}`,
  MULTI: /^m:(\d{1,2})$/,
  multiDone: "m:done",
  suggestion: (i: number) => `v:${i}`,
  SUGGESTION: /^v:(\d{1,2})$/,
  textOrVoiceSkip: "tv:skip",
  photosDone: "ph:done",
  photosSkip: "ph:skip",
  page: (p: number) => `pg:${p}`,
  pageAll: "pg:all",
  PAGE: /^pg:(\d{1,4}|all)$/,
} as const;

/**
 * A member's free message, sent outside a dialogue: to one of their open requests (`fm:<id>:<n>`, n the
 * place of the request in the stored choice), as a new report (`new`) or not at all (`no`). The id is
 * a stored pending choice of that member, holding the message and the requests offered.
 */
export const freeMessageData = (choiceId: string, pick: number | "new" | "no") => `fm:${choiceId}:${pick}`;
export const FREE_MESSAGE = new RegExp(`^fm:${OBJECT_ID}:(\\d|new|no)$`);

/** A chairperson's /laporkan: the type of request to file for a member of the sentra. */
export const onBehalfTypeData = (type: RequestType) => `ob:${type}`;
export const ON_BEHALF_TYPE = new RegExp(`^ob:(${REQUEST_TYPES.join("|")})$`);
/** The same, from the button under the chairperson's /status: shows the types. */
export const ON_BEHALF_START = "ob:start";

/**
 * The member's answer to a finished request: `cl:<y|n|1-5|skip>:<request id>` — *Sudah*, *Belum*,
 * the stars, or skipping the comment. Who pressed is checked against the request's member.
 */
export type ClosureButton = "y" | "n" | "1" | "2" | "3" | "4" | "5" | "skip";
export const closureButtonData = (action: ClosureButton, requestId: string) => `cl:${action}:${requestId}`;
export const CLOSURE_BUTTON = new RegExp(`^cl:(y|n|[1-5]|skip):${OBJECT_ID}$`);

/** A member's program buttons: join (Daftar), cannot come (Tidak bisa), cancel (Batal ikut): `pr:j|x|c:<program id>`. */
export const programButtonData = (action: "j" | "x" | "c", programId: string) => `pr:${action}:${programId}`;
export const PROGRAM_BUTTON = new RegExp(`^pr:(j|x|c):${OBJECT_ID}$`);

/** A licence a program requires, answered: `pl:y|n:<licence>:<program id>` (then the registration goes on). */
export const licenceButtonData = (has: boolean, licence: string, programId: string) => `pl:${has ? "y" : "n"}:${licence}:${programId}`;
export const LICENCE_BUTTON = new RegExp(`^pl:(y|n):(nib|spp_pirt|halal):${OBJECT_ID}$`);

/** A member's own licences (*Izin usaha saya*), one tap changes one: `lp:<licence>:y|n`. */
export const licenceProfileData = (licence: string, has: boolean) => `lp:${licence}:${has ? "y" : "n"}`;
export const LICENCE_PROFILE_BUTTON = /^lp:(nib|spp_pirt|halal):(y|n)$/;

/** Staff buttons under a program: participants, change, done, cancel, link requests: `ps:p|c|d|x|l:<program id>`. */
export const programStaffButtonData = (action: "p" | "c" | "d" | "x" | "l" | "e", programId: string) => `ps:${action}:${programId}`;
export const PROGRAM_STAFF_BUTTON = new RegExp(`^ps:(p|c|d|x|l|e):${OBJECT_ID}$`);

/** A chairperson's buttons under a program: the sentra's registrations, register someone: `pc:v|r:<program id>`. */
export const programChairButtonData = (action: "v" | "r", programId: string) => `pc:${action}:${programId}`;
export const PROGRAM_CHAIR_BUTTON = new RegExp(`^pc:(v|r):${OBJECT_ID}$`);
/** A chairperson cancels a guest's seat they took: `pc:g:<program id>:<seat number>` (checked against the presser). */
export const guestCancelData = (programId: string, k: number) => `pc:g:${programId}:${k}`;
export const GUEST_CANCEL_BUTTON = new RegExp(`^pc:g:${OBJECT_ID}:(\\d{1,6})$`);

/** Attendance of a participant, toggled by staff: `pa:<program id>:<slot>`. */
export const attendanceButtonData = (programId: string, k: number) => `pa:${programId}:${k}`;
export const ATTENDANCE_BUTTON = new RegExp(`^pa:${OBJECT_ID}:(\\d{1,5})$`);
