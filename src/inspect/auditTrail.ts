/** @module auditTrail: the inspector's audit trail of one actor at a point of the run. */
import type { AuditRecord } from '../kernel/audit/AuditLog.js';
import type { Replay } from '../replay/Replay.js';
import type { AuditTrail } from './inspectorApi.js';

/** Most audit records one request returns. */
export const maxAudit = 500;

/**
 * The coordination decisions about `address` (as target or as actor) up to input `seq`: the stored
 * ones, then a live hive's records since its last checkpoint (`pending`; one being written now may be
 * stored already, so only those after the last stored record count). `available` is false for a
 * directory written before the audit log existed.
 * @example auditTrail(replay, [], 'task:t1', replay.lastSeq).records
 */
export function auditTrail(replay: Replay, pending: readonly AuditRecord[], address: string, seq: number): AuditTrail {
  const stored = replay.source.auditAbout?.(address);
  if (!stored) return { address, seq, available: false, records: [] };
  const about = (r: AuditRecord) => r.seq <= seq && (r.target === address || r.actor === address);
  const records = stored.records.filter(about);
  const last = stored.last ?? [-1, -1];
  for (const r of pending) if ((r.seq > last[0] || (r.seq === last[0] && r.index > last[1])) && about(r)) records.push(r);
  return { address, seq, available: true, records: records.slice(-maxAudit) };
}
