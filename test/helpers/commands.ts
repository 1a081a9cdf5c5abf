/**
 * Counts the database commands (round trips) the driver sends, with 'commandStarted' events of the
 * client (the connection must be made with `monitorCommands`: useTestDatabase({ monitorCommands: true })).
 */
import mongoose from "mongoose";

const WRITE_COMMANDS = new Set(["insert", "update", "delete", "findAndModify"]);

export interface CommandCount {
  total: number;
  writes: number;
  /** "update conversationstates", "insert processedupdates" … in the order sent. */
  kinds: string[];
  /** The filter's field names of each update command's statements, e.g. "conversationstates: _id". */
  updateFilters: string[];
  /** Every command as sent (to check what reached the server). */
  commands: { name: string; collection: string | null; command: Record<string, unknown> }[];
}

/** Runs `fn` and returns the commands sent meanwhile (also those of other work running at the same time: run nothing else). */
export async function countCommands(fn: () => Promise<unknown>): Promise<CommandCount> {
  const client = mongoose.connection.getClient();
  const count: CommandCount = { total: 0, writes: 0, kinds: [], updateFilters: [], commands: [] };
  const listener = (e: { commandName: string; command: Record<string, unknown> }) => {
    count.total++;
    if (WRITE_COMMANDS.has(e.commandName)) count.writes++;
    const coll = e.command[e.commandName];
    count.kinds.push(`${e.commandName}${typeof coll === "string" ? ` ${coll}` : ""}`);
    count.commands.push({ name: e.commandName, collection: typeof coll === "string" ? coll : null, command: e.command });
    if (e.commandName === "update" && Array.isArray(e.command.updates)) {
      for (const u of e.command.updates as { q?: Record<string, unknown> }[]) count.updateFilters.push(`${String(coll)}: ${Object.keys(u.q ?? {}).join(", ")}`);
    }
  };
  client.on("commandStarted", listener);
  try {
    await fn();
  } finally {
    client.off("commandStarted", listener);
  }
  return count;
}
