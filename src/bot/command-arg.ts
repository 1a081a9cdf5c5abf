/** The text after a command (`/kontak 0812…` → "0812…"), trimmed; "" when there is none. */
export function commandArg(ctx: { match?: unknown }): string {
  return typeof ctx.match === "string" ? ctx.match.trim() : "";
}
