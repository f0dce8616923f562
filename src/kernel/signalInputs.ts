/**
 * @module signalInputs: applies `task.signal` (a value sent to a task) and `attempt.waiting` (a
 * handler waits for a signal). Waiting ends the attempt unless the signal is already there; the
 * answer tells the handler which happened.
 */
import { taskAddress } from '../../machines/address.js';
import type { TaskContext } from '../../machines/task.js';
import type { Json } from '../../machines/types.js';
import { statusOf } from './ActorKind.js';
import type { InputHandler } from './applyInput.js';
import { deepFreeze } from './deepFreeze.js';

/** What `attempt.waiting` answers the waiting handler. */
export type WaitResult = { outcome: 'signalled'; value: Json } | { outcome: 'waiting' | 'timed_out' | 'superseded' };

export const signalInputs: { 'task.signal': InputHandler<'task.signal'>; 'attempt.waiting': InputHandler<'attempt.waiting'> } = {
  'task.signal': (core, { taskId, name, value }) =>
    core.deliver(taskAddress(taskId), { type: 'task.signal', name, value: deepFreeze(value), at: core.at }, 'input'),
  'attempt.waiting': (core, input): WaitResult => {
    const { taskId, attempt, name, timeoutMs } = input;
    core.deliver(taskAddress(taskId), { type: 'attempt.waiting', attempt, name, at: core.at, ...(timeoutMs !== undefined ? { timeoutMs } : {}) }, 'input');
    core.drain();
    const snap = core.current('task', taskId);
    const c = snap?.context as TaskContext | undefined;
    if (!snap || !c || c.attempt !== attempt) return { outcome: 'superseded' };
    const status = statusOf(snap);
    if (status === 'waiting') return { outcome: 'waiting' };
    if (status !== 'running') return { outcome: 'superseded' };
    if (c.signals !== undefined && Object.hasOwn(c.signals, name)) return { outcome: 'signalled', value: c.signals[name]! };
    if (c.signalTimeouts?.includes(name)) return { outcome: 'timed_out' };
    return { outcome: 'superseded' };
  },
};
