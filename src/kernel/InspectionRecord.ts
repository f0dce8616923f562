/** @module InspectionRecord: what the kernel reports to inspectors, in one ordered stream. */
import type { KindName } from '../../machines/address.js';
import type { Input } from './inputs.js';

export type MachineName = KindName;

/**
 * Every record carries the sequence number and time of the input being applied (`seq` 0 and the
 * checkpoint time for records made while restoring). `replaying` is true during recovery replay.
 */
export type InspectionRecord = { seq: number; at: number; replaying: boolean } & (
  | { kind: 'actor.created' | 'actor.restored'; address: string; parent: string; machine: MachineName; state: string }
  | { kind: 'actor.passivated' | 'actor.stopped'; address: string; state: string }
  | { kind: 'input.applied'; input: Input }
  | { kind: 'transition'; address: string; from: string; to: string; event: { type: string; [k: string]: unknown } }
  | { kind: 'message'; from: string; to: string; event: { type: string; [k: string]: unknown } }
  | { kind: 'effect.dispatched'; effect: 'execute' | 'verify' | 'abort'; taskId: string; attempt: number; agentId?: string }
  | { kind: 'effect.settled'; effect: 'execute' | 'verify'; taskId: string; attempt: number; outcome: string }
  /** A delivery of an envelope handed to the host (its `message.ack` / `message.nack` answers it). */
  | { kind: 'message.dispatched'; messageId: string; delivery: number; agentId: string }
  | { kind: 'checkpoint.written'; checkpointSeq: number; actors: number }
);
