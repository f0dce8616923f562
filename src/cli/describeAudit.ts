/** @module describeAudit: one audit record's decision in a few words (winner and price, agent and attempt, ...) and its reason, for `hivestate audit`. */
import type { AuditRecord } from '../hive/auditQuery.js';

/**
 * What was decided, then why: the record's type-specific details first, its `details.reason` last.
 * @example auditSummary(award) // 'won by builder-2 at 6 (round 1); lowest price 6 of 2 bids'
 */
export function auditSummary(r: AuditRecord): string {
  return [decision(r), r.details.reason].filter((part) => part !== '').join('; ');
}

/** The details a reader looks for first, by record type ('' when the reason says it all). */
function decision(r: AuditRecord): string {
  const d = r.details;
  switch (r.type) {
    case 'auction.award':
      // `recommended` is the best success-rate-per-price bid; worth a mention only when it lost.
      return `won by ${String(d.agentId)} at ${String(d.price)} (round ${String(d.round)})${d.differs === true ? `, recommended ${String(d.recommended)}` : ''}`;
    case 'auction.unsold':
      return `round ${String(d.round)}`;
    case 'assign':
    case 'handoff':
      return `agent ${String(d.agentId)}, attempt ${String(d.attempt)}`;
    case 'retry':
      return `attempt ${String(d.attempt)} failed, next at ${typeof d.retryAt === 'number' ? new Date(d.retryAt).toISOString() : '-'}`;
    case 'reject':
      return `attempt ${String(d.attempt)}`;
    case 'reassign':
      return d.failedAgent === undefined ? '' : `from failed agent ${String(d.failedAgent)}`;
    case 'escalate':
      if (Array.isArray(d.waitingOn)) return `waiting on ${d.waitingOn.join(', ')}`;
      if (Array.isArray(d.taskIds)) return `tasks ${d.taskIds.join(', ')}`;
      return d.agentId === undefined ? '' : `agent ${String(d.agentId)}`;
    case 'cancel':
      return '';
  }
}
