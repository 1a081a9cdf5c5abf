/** The six kecamatan of Kabupaten Badung, as stored (the display names are the same words). */
export const KECAMATAN = ["Kuta Selatan", "Kuta", "Kuta Utara", "Mengwi", "Abiansemal", "Petang"] as const;
export type Kecamatan = (typeof KECAMATAN)[number];

export function isKecamatan(v: unknown): v is Kecamatan {
  return typeof v === "string" && (KECAMATAN as readonly string[]).includes(v);
}
