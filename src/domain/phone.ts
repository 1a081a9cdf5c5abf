/**
 * Indonesian phone numbers as members type them (08…, +62…, 62…, with spaces or dashes)
 * normalised to E.164 (+62…). Returns undefined when it is not a plausible number.
 */
export function normalizeIndonesianPhone(input: string): string | undefined {
  const compact = input.trim().replace(/[\s\-().]/g, "");
  let national: string;
  if (/^\+62\d+$/.test(compact)) national = compact.slice(3);
  else if (/^62\d+$/.test(compact)) national = compact.slice(2);
  else if (/^0\d+$/.test(compact)) national = compact.slice(1);
  else return undefined;
  // Mobile numbers start with 8 (9-12 digits after the country code); landlines such as 361 (Bali) are shorter.
  if (!/^[1-9]\d{7,11}$/.test(national)) return undefined;
  return `+62${national}`;
}

/**
 * A number from Telegram's share-contact button ("6281…", "+6281…"). Telegram has verified it,
 * so a foreign number is kept too, in E.164 form.
 */
export function normalizeContactPhone(phone: string): string | undefined {
  const digits = phone.replace(/\D/g, "");
  if (digits.length < 6 || digits.length > 15) return undefined;
  return normalizeIndonesianPhone(`+${digits}`) ?? `+${digits}`;
}
