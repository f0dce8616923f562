/**
 * @module teachLearner: hands the learner the facts it counts (an auction closed, an attempt ended),
 * creating it on the first one. Called while an input is applied, so the figures follow the journal.
 */
import { learnerAddress, type Address } from '../../../machines/address.js';
import type { LearnerContext, LearnerEvent } from '../../../machines/learner.js';
import type { TaskContext } from '../../../machines/task.js';
import type { ReleaseOutcome } from '../../../machines/types.js';
import type { KernelCore } from '../KernelCore.js';

type Fact = LearnerEvent extends infer E ? (E extends LearnerEvent ? Omit<E, 'at'> : never) : never;

/**
 * Delivers one fact to the learner.
 * @example teachLearner(core, { type: 'learn.auction', taskType: 'build', bidders: ['a1'], winner: 'a1' }, from)
 */
export function teachLearner(core: KernelCore, fact: Fact, from: Address): void {
  if (!core.slot('learner', '')) core.create('learner', '', undefined);
  core.deliver(learnerAddress, { ...fact, at: core.at } as LearnerEvent, from);
}

/** The learner's figures now (empty before its first fact). */
export function learnerFigures(core: KernelCore): LearnerContext {
  return (core.current('learner', '')?.context as LearnerContext | undefined) ?? { agents: [] };
}

/**
 * An attempt ended on an agent: count it as succeeded or failed ('returned' blames nobody).
 * @example learnFromRelease(core, taskAddress('t1'), { agentId: 'a1', taskId: 't1', outcome: 'succeeded' })
 */
export function learnFromRelease(core: KernelCore, from: Address, e: { agentId: string; taskId: string; outcome: ReleaseOutcome }): void {
  if (!e.agentId || e.outcome === 'returned') return;
  const c = core.current('task', e.taskId)?.context as TaskContext | undefined;
  if (!c) return;
  teachLearner(
    core,
    {
      type: 'learn.attempt',
      agentId: e.agentId,
      taskType: c.spec.type,
      ok: e.outcome === 'succeeded',
      durationMs: Math.max(0, core.at - (c.startedAt ?? core.at)),
    },
    from,
  );
}
