/**
 * @module auditQuery: `hive.audit()`: the stored audit records merged with those derived since the
 * last checkpoint, filtered, in decision order.
 */
import type { AuditRecord, AuditType } from '../kernel/audit/AuditLog.js';
import type { Kernel } from '../kernel/Kernel.js';
import type { HiveStore } from '../store/HiveStore.js';
import { ValidationError } from '../errors.js';
import { checkInt, checkKeys, checkName, checkTime } from '../validate.js';

export type { AuditRecord, AuditType } from '../kernel/audit/AuditLog.js';

/** Every audit record type, in the order the log documents them. */
export const auditTypes: readonly AuditType[] = ['assign', 'reassign', 'reject', 'escalate', 'retry', 'cancel', 'auction.award', 'auction.unsold', 'handoff'];

/**
 * Audit records at or after `since` (ms), of one `type`, about one `target` (an address such as
 * `task:t1`), oldest first, at most `limit` (default 1000).
 * @example auditOf(kernel, store, { target: 'task:t1' }).map((r) => r.type) // ['auction.award', 'assign']
 */
export function auditOf(kernel: Kernel, store: HiveStore, options: unknown = {}): AuditRecord[] {
  const o = checkKeys('audit', options, ['since', 'type', 'target', 'limit']);
  const since = o.since === undefined ? undefined : checkTime('since', o.since);
  if (o.type !== undefined && !auditTypes.includes(o.type as AuditType))
    throw new ValidationError('type', `must be one of ${auditTypes.join(', ')}; got ${JSON.stringify(o.type)}`);
  const target = o.target === undefined ? undefined : checkName('target', o.target);
  const limit = o.limit === undefined ? 1000 : checkInt('limit', o.limit, 1, 100_000);
  const out: AuditRecord[] = [];
  const keep = (r: AuditRecord) =>
    (since === undefined || r.at >= since) && (o.type === undefined || r.type === o.type) && (target === undefined || r.target === target);
  let last: [number, number] = [-1, -1];
  if (target !== undefined) {
    // One target: its records through the index, not a pass over the whole log.
    const about = store.auditAbout(target);
    if (about.last) last = about.last;
    for (const r of about.records) {
      if (keep(r)) out.push(r);
      if (out.length >= limit) return out;
    }
  } else {
    for (const r of store.auditRecords()) {
      last = [r.seq, r.index];
      if (keep(r)) out.push(r);
      if (out.length >= limit) return out;
    }
  }
  for (const r of kernel.pendingAudit()) {
    // A record being written by a checkpoint in progress may already be stored.
    if (r.seq < last[0] || (r.seq === last[0] && r.index <= last[1])) continue;
    if (keep(r)) out.push(r);
    if (out.length >= limit) break;
  }
  return out;
}
