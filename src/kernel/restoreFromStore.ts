/** @module restoreFromStore: a kernel core rebuilt from the last checkpoint and the journal after it. */
import { parseAddress } from '../../machines/address.js';
import type { KernelStore } from '../store/KernelStore.js';
import type { KernelCore } from './KernelCore.js';

/**
 * Restores the checkpointed actors, counts, timers and trigger keys into `core`, then applies every
 * journal record after the checkpoint (what applying produces is dropped: nothing is performed).
 * `resumeAt(seq, at)` is told each position, so intake carries on after the last one. Returns how
 * many records were applied.
 * @example const replayed = restoreFromStore(core, store, (seq, at) => intake.resumeAt(seq, at))
 */
export function restoreFromStore(core: KernelCore, store: KernelStore, resumeAt: (seq: number, at: number) => void): number {
  const cp = store.checkpoint();
  core.inspection.replaying = true;
  let replayed = 0;
  try {
    const coordinator = store.getActor('coordinator');
    if (coordinator) core.restore('coordinator', '', coordinator);
    else core.create('coordinator', '', undefined);
    for (const [addr, rec] of store.liveActors()) {
      const parsed = parseAddress(addr);
      if (parsed && parsed.kind !== 'coordinator') core.restore(parsed.kind, parsed.id, rec);
    }
    for (const [status, n] of Object.entries(store.countTasksByStatus())) core.taskCounts.set(status, n);
    // The restored tasks' `waitingFor` already agrees with the restored agents: nothing to re-check.
    core.agents.takeChanged();
    core.timers.load(store.storedTimers());
    core.triggerKeys.load(store.triggerKeys());
    core.scheduleNeeded = false;
    resumeAt(cp?.seq ?? 0, cp?.at ?? 0);
    for (const rec of store.journalAfter(cp?.seq ?? 0)) {
      core.apply(rec);
      resumeAt(rec.seq, rec.at);
      replayed++;
    }
  } finally {
    core.inspection.replaying = false;
  }
  return replayed;
}
