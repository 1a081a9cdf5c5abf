import { AuditLog } from "../db/models/audit-log";

export async function audit(by: number, action: string, details: Record<string, unknown>, at: Date): Promise<void> {
  await AuditLog.create({ at, by, action, details: JSON.stringify(details) });
}
