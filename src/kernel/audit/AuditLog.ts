/**
 * @module AuditLog: every coordination decision (assign, reassign, reject, escalate, retry, cancel,
 * auction award, auction unsold, handoff) as one record, derived while an input is applied (so recovery
 * derives the same records for the inputs after the last checkpoint, keyed by seq). Records wait
 * here until the next checkpoint writes them in its transaction, and are logged through pino at the
 * custom `audit` level (35, between info and warn) when they happen live.
 */
import type { Logger } from 'pino';
import { agentAddress, auctionAddress, taskAddress, type Address } from '../../../machines/address.js';
import type { AuctionContext } from '../../../machines/auction.js';
import { routingDecision } from '../../../machines/routing.js';
import type { TaskContext } from '../../../machines/task.js';
import type { Json } from '../../../machines/types.js';
import type { Input } from '../inputs.js';
import type { KernelCore } from '../KernelCore.js';
import { hasBackupFor } from '../SuspendedTasks.js';

export type AuditType = 'assign' | 'reassign' | 'reject' | 'escalate' | 'retry' | 'cancel' | 'auction.award' | 'auction.unsold' | 'handoff';

export interface AuditRecord {
  at: number;
  /** The input whose application made the decision. */
  seq: number;
  /** Position among the records of that input (seq + index is the record's key). */
  index: number;
  type: AuditType;
  /** Who decided: an actor address (`coordinator`, `auction:<taskId>`, `agent:<id>`, `task:<id>`) or `api`. */
  actor: string;
  /** What happened, as the event or message name. */
  action: string;
  /** What the decision was about (an address). */
  target: string;
  details: { reason: string } & Record<string, Json>;
  /** The state the target was left in. */
  outcome: string;
}

/** The pino level number of `audit`. */
export const auditLevel = 35;

interface AuditState {
  pending: AuditRecord[];
  seq: number;
  index: number;
  pruneBefore: number | undefined;
}

const states = new WeakMap<KernelCore, AuditState>();
const loggers = new WeakMap<Logger, Logger<'audit'>>();

function stateOf(core: KernelCore): AuditState {
  let s = states.get(core);
  if (!s) states.set(core, (s = { pending: [], seq: -1, index: 0, pruneBefore: undefined }));
  return s;
}

function auditLogger(logger: Logger): Logger<'audit'> {
  let l = loggers.get(logger);
  if (!l) loggers.set(logger, (l = logger.child({}, { customLevels: { audit: auditLevel } })));
  return l;
}

function add(core: KernelCore, r: Omit<AuditRecord, 'at' | 'seq' | 'index'>): void {
  const s = stateOf(core);
  if (s.seq !== core.seq) {
    s.seq = core.seq;
    s.index = 0;
  }
  const rec: AuditRecord = { at: core.at, seq: core.seq, index: s.index++, ...r };
  s.pending.push(rec);
  const logger = core.inspection.logger;
  if (logger && !core.inspection.replaying) auditLogger(logger).audit({ audit: rec }, `${rec.type} ${rec.target}: ${rec.details.reason}`);
}

/** The last record of the input being applied, if any. */
const lastRecord = (core: KernelCore): AuditRecord | undefined => {
  const s = stateOf(core);
  return s.seq === core.seq ? s.pending.at(-1) : undefined;
};

const statusOfTask = (core: KernelCore, id: string) => core.taskStatus(id) ?? 'unknown';

type Emitted = { type: string; [k: string]: unknown };

/**
 * Audits what an actor emitted, when it is a decision.
 * @example auditEmitted(core, 'task:t1', { type: 'task.retrying', taskId: 't1', attempt: 1, ... })
 */
export function auditEmitted(core: KernelCore, from: Address, e: Emitted): void {
  switch (e.type) {
    case 'task.assigned': {
      const id = e.taskId as string;
      const spec = (core.current('task', id)?.context as TaskContext | undefined)?.spec;
      const auctioned = spec?.assign === 'auction';
      // An assignment that follows an accepted handoff in the same step was the running agent's choice.
      const handoff = lastRecord(core);
      const handedOff = handoff?.type === 'handoff' && handoff.target === taskAddress(id) && handoff.outcome === 'handed off';
      add(core, {
        type: 'assign',
        actor: handedOff ? handoff.actor : auctioned ? auctionAddress(id) : 'coordinator',
        action: handedOff ? 'task.handoff' : 'hive.assign',
        target: taskAddress(id),
        details: {
          reason: handedOff
            ? `handed off by ${handoff.actor}`
            : auctioned
              ? 'auction award'
              : 'direct rule: capability, availability, priority, load, least recently used',
          agentId: e.agentId as string,
          attempt: e.attempt as number,
        },
        outcome: 'assigned',
      });
      return;
    }
    case 'task.handed_off':
    case 'task.handoff_refused': {
      const accepted = e.type === 'task.handed_off';
      add(core, {
        type: 'handoff',
        actor: agentAddress(e.from as string),
        action: 'task.handoff',
        target: taskAddress(e.taskId as string),
        details: {
          reason: accepted ? `handed off to agent ${e.agentId as string}` : `${e.reason as string}: ${(e.detail as string | undefined) ?? ''}`,
          agentId: e.agentId as string,
          attempt: e.attempt as number,
          ...(accepted ? {} : { refusal: e.reason as string }),
        },
        outcome: accepted ? 'handed off' : 'refused',
      });
      return;
    }
    case 'task.retrying': {
      const err = e.error as { code: string; message: string } | undefined;
      add(core, {
        type: 'retry',
        actor: from,
        action: 'task.retrying',
        target: taskAddress(e.taskId as string),
        details: { reason: err ? `${err.code}: ${err.message}` : 'attempt failed', attempt: e.attempt as number, retryAt: e.retryAt as number },
        outcome: 'retrying',
      });
      return;
    }
    case 'effect.reassign': {
      // A failed agent's task goes to a capable backup (audited here), or is suspended when there is
      // none (the same decision the reaction takes next, on the same state; audited by its `task.escalated`).
      const failedAgent = e.failedAgent as string | undefined;
      for (const taskId of e.taskIds as string[]) {
        if (failedAgent !== undefined && !hasBackupFor(core, taskId, failedAgent)) continue;
        add(core, {
          type: 'reassign',
          actor: from,
          action: 'hive.reassign',
          target: taskAddress(taskId),
          details: {
            reason: e.reason as string,
            ...(failedAgent !== undefined ? { failedAgent, resumesFrom: 'its last checkpoint, on a capable backup' } : {}),
          },
          outcome: 'requeued',
        });
      }
      return;
    }
    case 'task.escalated': {
      const id = e.taskId as string;
      const suspended = e.code === 'no_backup';
      add(core, {
        type: 'escalate',
        actor: suspended ? 'coordinator' : taskAddress(id),
        action: 'task.escalated',
        target: taskAddress(id),
        details: {
          reason: e.reason as string,
          code: e.code as string,
          ...(suspended ? { agentId: e.agentId as string } : { waitingOn: e.waitingOn as string[] }),
        },
        outcome: suspended ? 'suspended' : 'waiting',
      });
      return;
    }
    case 'effect.escalate':
      add(core, {
        type: 'escalate',
        actor: from,
        action: 'hive.escalate',
        target: from,
        details: { reason: e.reason as string, taskIds: e.taskIds as string[] },
        outcome: 'escalated to coordinator',
      });
      return;
    case 'task.auction.awarded':
    case 'task.auction.unsold': {
      const id = e.taskId as string;
      const c = core.current('auction', id)?.context as AuctionContext | undefined;
      const d = c && routingDecision(c);
      const awarded = e.type === 'task.auction.awarded';
      add(core, {
        type: awarded ? 'auction.award' : 'auction.unsold',
        actor: auctionAddress(id),
        action: e.type.slice(5),
        target: taskAddress(id),
        details: {
          reason: d?.reason ?? '',
          round: e.round as number,
          ...(awarded ? { agentId: e.agentId as string, price: e.price as number } : {}),
          ...(d ? { recommended: d.recommended, differs: d.differs } : {}),
        },
        outcome: awarded ? 'awarded' : c?.onNoBids === 'queue' ? 'queued' : 'failed',
      });
      return;
    }
  }
}

/**
 * Audits a suspended task going back to the queue because a capable agent appeared (a kernel decision, no actor emits it).
 * @example auditResume(core, 't1')
 */
export function auditResume(core: KernelCore, taskId: string): void {
  add(core, {
    type: 'reassign',
    actor: 'coordinator',
    action: 'hive.resume',
    target: taskAddress(taskId),
    details: { reason: 'a capable agent is available again; it resumes from its last checkpoint' },
    outcome: 'requeued',
  });
}

/**
 * Audits an input once it was applied (its outcome known); also notes a prune for the next checkpoint.
 * @example auditInput(core, { type: 'attempt.rejected', taskId: 't1', attempt: 1, agentId: 'a1', reason: 'busy' })
 */
export function auditInput(core: KernelCore, input: Input): void {
  if (input.type === 'attempt.rejected') {
    add(core, {
      type: 'reject',
      actor: `agent:${input.agentId}`,
      action: 'attempt.rejected',
      target: taskAddress(input.taskId),
      details: { reason: input.reason, attempt: input.attempt },
      outcome: statusOfTask(core, input.taskId),
    });
  } else if (input.type === 'task.cancel') {
    add(core, {
      type: 'cancel',
      actor: input.by ?? 'api',
      action: 'task.cancel',
      target: taskAddress(input.taskId),
      details: { reason: input.by === undefined ? 'cancelled through the API' : `cancelled by ${input.by}` },
      outcome: statusOfTask(core, input.taskId),
    });
  } else if (input.type === 'hive.prune') {
    const s = stateOf(core);
    s.pruneBefore = Math.max(s.pruneBefore ?? 0, input.before);
  }
}

/**
 * What the next checkpoint writes: the records since the last one, and the prune horizon.
 * @example const { audit, auditPruneBefore } = takeAudit(core)
 */
export function takeAudit(core: KernelCore): { audit: AuditRecord[]; auditPruneBefore?: number } {
  const s = stateOf(core);
  const audit = s.pending;
  const before = s.pruneBefore;
  s.pending = [];
  s.pruneBefore = undefined;
  return { audit, ...(before !== undefined ? { auditPruneBefore: before } : {}) };
}

/** Records not yet written by a checkpoint (queries merge them with the stored ones). */
export function pendingAudit(core: KernelCore): readonly AuditRecord[] {
  return stateOf(core).pending;
}
