/**
 * @module checkpointWrite: what one checkpoint writes (changed actors, timer changes, idempotency
 * keys, pruned tasks) and what happens once it is stored (passivation of finished actors).
 */
import { parseAddress, type Address } from '../../machines/address.js';
import type { CheckpointWrite } from '../store/HiveStore.js';
import type { KernelCore } from './KernelCore.js';
import { takeAudit } from './audit/AuditLog.js';

/**
 * Collects every change since the last checkpoint into one write, up to input `seq`.
 * @example const w = buildCheckpoint(core, lastApplied); await store.writeCheckpoint(w)
 */
export function buildCheckpoint(core: KernelCore, seq: number): CheckpointWrite {
  const actors: CheckpointWrite['actors'] = [];
  for (const address of core.dirty) {
    const parsed = parseAddress(address)!;
    const slot = core.slot(parsed.kind, parsed.id);
    if (!slot) continue;
    const actor = core.stored(parsed.kind, slot);
    const finished = core.kinds[parsed.kind].isFinished(actor.status);
    actors.push({ address, actor, live: !finished, previousStatus: slot.storedStatus, ...(parsed.kind === 'task' ? { id: parsed.id } : {}) });
  }
  core.dirty = new Set();
  const timers = core.timers.takeChanges();
  const compactBefore = core.compactBefore;
  core.compactBefore = undefined;
  return {
    seq,
    at: core.at,
    actors,
    timersSet: timers.set,
    timersCleared: timers.cleared,
    idempotencyKeys: [...core.idempotencyKeys],
    pruned: [...core.pruning.values()],
    removed: [...core.removed],
    triggerKeys: core.triggerKeys.takeChanges(),
    ...(core.steps ? { changes: core.steps.take() } : {}),
    ...takeAudit(core),
    ...(compactBefore !== undefined ? { compactJournalBefore: compactBefore } : {}),
  };
}

/** After a write: remember what is stored; finished actors leave memory (passivation). */
export function afterCheckpoint(core: KernelCore, w: CheckpointWrite): void {
  for (const { address, actor } of w.actors) {
    const parsed = parseAddress(address)!;
    const slot = core.slot(parsed.kind, parsed.id);
    if (!slot) continue;
    slot.storedStatus = actor.status;
    if (core.kinds[parsed.kind].isFinished(actor.status) && !core.dirty.has(address as Address)) {
      core.actors.get(parsed.kind)!.delete(parsed.id);
      if (core.inspection.active) core.inspection.record(core, { kind: 'actor.passivated', address, state: actor.status });
    }
  }
  for (const [k] of w.idempotencyKeys) core.idempotencyKeys.delete(k);
  for (const p of w.pruned) core.pruning.delete(p.id);
  for (const a of w.removed ?? []) core.removed.delete(a as Address);
}
