/**
 * @module waitForSignal: the handler side of signals. A signal already received is returned at
 * once; otherwise a journaled `attempt.waiting` ends the attempt (the task shows `waiting` and its
 * agent is free) and the promise rejects with AttemptSuspendedError. When `hive.signal` delivers
 * the value, the task is queued again and its handler runs from the start as a new attempt, with
 * `ctx.lastCheckpoint` and `ctx.signals`; its `waitForSignal` then returns the value at once.
 */
import type { Json } from '../../machines/types.js';
import { AttemptSupersededError, AttemptSuspendedError, SignalTimeoutError } from '../errors.js';
import type { Input } from '../kernel/inputs.js';
import type { WaitResult } from '../kernel/signalInputs.js';
import { checkId, checkInt, checkKeys, limits } from '../validate.js';
import type { TaskView } from '../views.js';

export interface SignalWaitDeps {
  taskId: string;
  attempt: number;
  /** Journals `attempt.waiting` (in process; a remote worker asks the hive to) and answers what it decided. */
  wait(name: string, timeoutMs: number | undefined): Promise<WaitResult>;
  /** The task as the kernel holds it now. */
  task(): TaskView | undefined;
  /** False once the attempt was aborted or superseded. */
  alive(): boolean;
}

/**
 * Builds `ctx.waitForSignal` for one attempt.
 * @example const approve = await ctx.waitForSignal('approve', { timeoutMs: 86_400_000 })
 */
export function waitForSignal(d: SignalWaitDeps): (name: string, options?: { timeoutMs?: number }) => Promise<Json> {
  return async (name, options = {}) => {
    checkId('signal name', name);
    const o = checkKeys('waitForSignal', options, ['timeoutMs']);
    const timeoutMs = o.timeoutMs === undefined ? undefined : checkInt('timeoutMs', o.timeoutMs, 1, limits.maxDelayMs);
    if (!d.alive()) throw new AttemptSupersededError(d.taskId, d.attempt);
    const view = d.task();
    if (view?.signals !== undefined && Object.hasOwn(view.signals, name)) return view.signals[name]!;
    if (view?.signalTimeouts?.includes(name)) throw new SignalTimeoutError(d.taskId, name);
    const r = await d.wait(name, timeoutMs);
    if (r.outcome === 'signalled') return r.value;
    if (r.outcome === 'timed_out') throw new SignalTimeoutError(d.taskId, name);
    if (r.outcome === 'waiting') throw new AttemptSuspendedError(d.taskId, d.attempt, name);
    throw new AttemptSupersededError(d.taskId, d.attempt);
  };
}

/**
 * The in-process `wait`: submits `attempt.waiting` for the attempt and reads the kernel's answer.
 * @example waitForSignal({ ..., wait: journalWait(submit, 't1', 2) })
 */
export function journalWait(submit: (input: Input) => Promise<unknown>, taskId: string, attempt: number): SignalWaitDeps['wait'] {
  return async (name, timeoutMs) =>
    (await submit({ type: 'attempt.waiting', taskId, attempt, name, ...(timeoutMs !== undefined ? { timeoutMs } : {}) })) as WaitResult;
}
