/**
 * @module StepOutput: what applying one journal record produced besides the new state: effect
 * requests, settled tasks and notifications, as data. The live host performs them; recovery and
 * replay drop them.
 */
import type { Notification, WorkRequest } from '../../machines/types.js';
import type { WorkerRequest } from '../../machines/worker.js';
import type { MessageRequest } from '../../machines/message.js';

export interface StepOutput {
  /** What applying the input returned to its caller (ids created, whether a checkpoint was stored, ...). */
  result: unknown;
  effects: Array<WorkRequest | WorkerRequest | MessageRequest>;
  /** Tasks that reached a terminal state (their waiters are answered). */
  settled: string[];
  notifications: Notification[];
}

export const emptyOutput = (): StepOutput => ({ result: undefined, effects: [], settled: [], notifications: [] });
