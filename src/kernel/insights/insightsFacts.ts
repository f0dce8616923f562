/**
 * @module insightsFacts: the kernel side of insights. When a task is posted it is given a
 * prediction (who runs it, how long its attempt takes) from what the hive knows then; when it ends
 * the insights actor scores the prediction. Both happen while an input is applied, from journaled
 * state only, so recovery and replay reproduce every figure.
 */
import { insightsAddress, type Address } from '../../../machines/address.js';
import type { InsightsContext, InsightsEvent, Prediction } from '../../../machines/insights.js';
import { tallyOf } from '../../../machines/learner.js';
import type { TaskContext } from '../../../machines/task.js';
import { learnerFigures } from '../auction/teachLearner.js';
import type { TaskSpecRecord } from '../inputs.js';
import type { KernelCore } from '../KernelCore.js';

type Fact = InsightsEvent extends infer E ? (E extends InsightsEvent ? Omit<E, 'at'> : never) : never;

/** The insights actor's figures (undefined before its first fact: insights are on by default). */
export function insightsOf(core: KernelCore): InsightsContext | undefined {
  return core.current('insights', '')?.context as InsightsContext | undefined;
}

function tell(core: KernelCore, fact: Fact, from: Address | 'input' | 'kernel'): void {
  if (!core.slot('insights', '')) core.create('insights', '', undefined);
  core.deliver(insightsAddress, { ...fact, at: core.at } as InsightsEvent, from);
}

/**
 * What to expect of a task about to be created; undefined while insights are off. The agent: for
 * an auction, the free capable agent with the best (smoothed) win rate on its type, ties by the
 * direct rule; otherwise the agent the direct rule would pick now, or, with none free, the one that
 * completed the last task of its type. The duration: that agent's mean on the type, else the type's.
 * @example predictTask(core, spec) // { agentId: 'a1', durationMs: 120 }
 */
export function predictTask(core: KernelCore, spec: TaskSpecRecord): Prediction | undefined {
  const figures = insightsOf(core);
  if (figures && !figures.enabled) return undefined;
  const type = figures?.types.find((t) => t.taskType === spec.type);
  const learned = learnerFigures(core).agents;
  let agentId: string | null;
  if (spec.assign === 'auction') {
    const byId = new Map(learned.map((a) => [a.agentId, a.byType.find((t) => t.taskType === spec.type)]));
    let best: { id: string; rate: number } | undefined;
    for (const id of core.agents.ranked(spec.type, [])) {
      const t = byId.get(id);
      const rate = ((t?.wins ?? 0) + 1) / ((t?.bids ?? 0) + 2);
      if (!best || rate > best.rate) best = { id, rate };
    }
    agentId = best?.id ?? null;
  } else {
    agentId = core.agents.best(spec.type, []) ?? type?.lastAgent ?? null;
  }
  const own = agentId === null ? undefined : tallyOf(learned, agentId)?.byType.find((t) => t.taskType === spec.type);
  const ownRuns = own ? own.succeeded + own.failed : 0;
  const durationMs =
    own && ownRuns > 0 ? Math.round(own.totalDurationMs / ownRuns) : type && type.completed > 0 ? Math.round(type.totalDurationMs / type.completed) : null;
  return { agentId, durationMs };
}

/** Tasks posted (and predicted) by the input being applied, per type: counted in one step per input, not one per task. */
const posted = new WeakMap<KernelCore, Map<string, number>>();

/**
 * A task was created with `prediction` (undefined: insights are off, nothing is counted).
 * @example taskPosted(core, 'build', prediction)
 */
export function taskPosted(core: KernelCore, taskType: string, prediction: Prediction | undefined): void {
  if (!prediction) return;
  let byType = posted.get(core);
  if (!byType) posted.set(core, (byType = new Map()));
  byType.set(taskType, (byType.get(taskType) ?? 0) + 1);
}

/**
 * Hands the insights actor the tasks the input being applied posted; true when it sent any (the
 * caller drains the mailbox again).
 * @example if (flushPosted(core)) core.drain()
 */
export function flushPosted(core: KernelCore): boolean {
  const byType = posted.get(core);
  if (!byType || byType.size === 0) return false;
  for (const [taskType, count] of byType) tell(core, { type: 'insights.posted', taskType, count }, 'kernel');
  byType.clear();
  return true;
}

/**
 * A task ended: its prediction is scored against the agent that ran its last attempt and that
 * attempt's duration (when it completed).
 * @example taskEnded(core, 't1', 'completed', taskAddress('t1'))
 */
export function taskEnded(core: KernelCore, taskId: string, status: string, from: Address): void {
  const figures = insightsOf(core);
  if (figures && !figures.enabled) return;
  const c = core.current('task', taskId)?.context as TaskContext | undefined;
  if (!c) return;
  const ran = c.startedAt !== undefined && c.assignedTo !== undefined;
  const completed = ran && (status === 'completed' || status === 'verified') && c.finishedAt !== undefined;
  tell(
    core,
    {
      type: 'insights.ended',
      taskType: c.spec.type,
      ...(c.spec.prediction ? { prediction: c.spec.prediction } : {}),
      ...(ran ? { agentId: c.assignedTo! } : {}),
      ...(completed ? { durationMs: Math.max(0, c.finishedAt! - c.startedAt!) } : {}),
    },
    from,
  );
}

/**
 * The `insights.set` input: switches insights on or off (journaled by `createHive({ insights })`
 * when it differs from the directory's setting).
 * @example setInsights(core, false)
 */
export function setInsights(core: KernelCore, enabled: boolean): void {
  tell(core, { type: 'insights.set', enabled }, 'input');
}
