/** @module KernelOptions: what a Kernel is built with, and the effect layer it asks to run work. */
import type { Logger } from 'pino';
import type { WorkerRequest } from '../../machines/worker.js';
import type { MessageRequest } from '../../machines/message.js';
import type { Clock } from '../clock.js';
import type { KernelStore } from '../store/KernelStore.js';
import type { AssignmentStrategy } from './AssignmentStrategy.js';
import type { KernelMachines } from './KernelCore.js';

/** What the kernel asks the effect layer to do. Never called while recovering or replaying. */
export interface EffectRunner {
  execute(req: { taskId: string; attempt: number; agentId: string }): void;
  verify(req: { taskId: string; attempt: number }): void;
  abort(req: { taskId: string; attempt: number; reason: string }): void;
  /** Colony workers: run, abort, or hand a running attempt a new message. */
  worker?(req: WorkerRequest): void;
  /**
   * After a restart of the hive: true when the effect layer keeps this attempt running (a remote
   * worker may still be on it; its outcome arrives later), false to have it re-dispatched.
   */
  resume?(req: { taskId: string; attempt: number; agentId: string }): boolean;
  /** Asks agents for their prices in an open auction (answers come back as `auction.bid` inputs). */
  askBids?(req: { taskId: string; round: number; agentIds: string[] }): void;
  /** Hands an envelope to its receiving agent's `onMessage` handler. */
  message?(req: MessageRequest): void;
}

export interface KernelOptions {
  store: KernelStore;
  clock: Clock;
  logger: Logger;
  effects: EffectRunner;
  /** Checkpoint after this many inputs... */
  checkpointEvery: number;
  /** ...or this many milliseconds, whichever comes first (Infinity: no periodic checkpoint, as in replay). */
  checkpointMs: number;
  /** Replay only: machines to host instead of the built-in ones. */
  machines?: KernelMachines;
  /** Who gets a queued task. @default directStrategy */
  strategy?: AssignmentStrategy;
  /** Fire durable timers (false: an intake-only hive, which runs nothing). @default true */
  timers?: boolean;
  /** Record what each input does to each actor, for the history index the checkpoints write (live hives). */
  recordChanges?: boolean;
}
