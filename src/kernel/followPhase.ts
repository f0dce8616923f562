/**
 * @module followPhase: tells the session when a task of a phase is posted, finishes, or is taken
 * back from a final status (`task.retry`), so it can announce `phase.completed` and
 * `session.completed`. Only those moves are sent: one or two messages per task with a phase.
 */
import { sessionAddress } from '../../machines/address.js';
import { isTerminalTaskStatus } from '../../machines/types.js';
import type { KernelCore } from './KernelCore.js';

/**
 * Called when a task with `phase` is created (`from` undefined) or changes status.
 * @example followPhase(core, 'build', 'running', 'completed')
 */
export function followPhase(core: KernelCore, phase: string, from: string | undefined, to: string): void {
  if (from !== undefined && isTerminalTaskStatus(from) === isTerminalTaskStatus(to)) return;
  ensureSession(core);
  core.deliver(sessionAddress, { type: 'hive.phase.task', phase, ...(from === undefined ? {} : { from }), to, at: core.at }, 'kernel');
}

/**
 * Creates the session actor the first time it is needed (old journals without phases never create it).
 * @example ensureSession(core, 500)
 */
export function ensureSession(core: KernelCore, queueLimit?: number): boolean {
  if (core.current('session', '')) return false;
  core.create('session', '', { at: core.at, ...(queueLimit !== undefined ? { queueLimit } : {}) });
  return true;
}
