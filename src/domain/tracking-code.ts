import { Counter } from "../db/models/counter";
import { CODE_PREFIX, type RequestType } from "./request-types";
import { dayjs, WITA } from "../lib/time";

/** KMS-2611-007: type prefix, year and month in WITA, then a per-type-and-month sequence. */
export const CODE_PATTERN = /^(PRD|KMS|PMS|MDL|PLT)-(\d{4})-(\d{3,})$/;

/** Normalises what a member types ("kms 2611 7", "kms-2611-007") to the stored form, or undefined. */
export function parseTrackingCode(input: string): string | undefined {
  const m = /^\s*([a-z]{3})[\s-]*(\d{4})[\s-]*(\d{1,6})\s*$/i.exec(input);
  if (!m) return undefined;
  const code = `${m[1].toUpperCase()}-${m[2]}-${m[3].padStart(3, "0")}`;
  return CODE_PATTERN.test(code) ? code : undefined;
}

/** Takes the next code atomically (one findOneAndUpdate with $inc: unique under concurrency). */
export async function nextTrackingCode(type: RequestType, now: Date): Promise<string> {
  const yymm = dayjs(now).tz(WITA).format("YYMM");
  const prefix = CODE_PREFIX[type];
  const counter = await Counter.findOneAndUpdate(
    { _id: `code:${prefix}:${yymm}` },
    { $inc: { seq: 1 } },
    { upsert: true, returnDocument: "after", lean: true },
  );
  return `${prefix}-${yymm}-${String(counter!.seq).padStart(3, "0")}`;
}
