/**
 * The kinds of request a member can make. Each has a short code prefix (read aloud over the phone)
 * and a locale key. The dialogue steps of each type are declared in `request-definitions.ts`.
 */
export const REQUEST_TYPES = ["produksi", "kemasan", "pemasaran", "modal", "pelatihan"] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const CODE_PREFIX: Record<RequestType, string> = {
  produksi: "PRD",
  kemasan: "KMS",
  pemasaran: "PMS",
  modal: "MDL",
  pelatihan: "PLT",
};

export function isRequestType(v: unknown): v is RequestType {
  return typeof v === "string" && (REQUEST_TYPES as readonly string[]).includes(v);
}
