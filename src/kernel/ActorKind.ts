/**
 * @module ActorKind: what the kernel needs to know about one kind of actor. The kernel knows no kind
 * by name; it asks the registry (`kinds/index.ts`). Adding a kind = one module + one registry entry.
 */
import type { Address, KindName } from '../../machines/address.js';
import type { Input } from './inputs.js';
import type { KernelCore } from './KernelCore.js';
import type { MachineStepper, PersistedSnap, Snap } from './MachineStepper.js';

/** One actor in memory: hosted (`snap`, steppable) or still its persisted snapshot (idle passivation). */
export interface Slot<C = unknown> {
  snap?: Snap<C>;
  persisted?: PersistedSnap<C>;
  /** Status as last written to the store (undefined: never written). */
  storedStatus?: string;
}

export interface ActorKind<C = unknown> {
  name: KindName;
  stepper: MachineStepper<C, { type: string; at: number }, { type: string }>;
  /** The persisted snapshot as this version reads it (upcasts snapshots written by older versions). */
  restore(stored: unknown): PersistedSnap<C>;
  /** Position used by the store's ordered indexes (post order for tasks). */
  order(context: C): number;
  /** Finished actors are not restored on recovery and leave memory once their final snapshot is stored. */
  isFinished(status: string): boolean;
  /** The supervising actor, for the inspector's tree. */
  parentOf(context: C): Address;
  /** Called when an actor of this kind is created or restored (indexes, queues). */
  onAdded?(core: KernelCore, id: string, snap: Snap<C> | PersistedSnap<C>): void;
  /** Events a finished actor still takes (a manual retry takes a failed task back); others are dropped. */
  revivedBy?(event: { type: string }): boolean;
  /** Called after an actor of this kind handled a message, with the status before it. */
  afterMessage?(core: KernelCore, id: string, snap: Snap<C>, before: string): void;
  /** After recovery: the input that settles work this actor had in flight when the process died (journaled by the host). */
  resumeInFlight?(id: string, snap: Snap<C> | PersistedSnap<C>): Input | undefined;
}

/** A snapshot's status: its state value as a string (all hosted machines are flat). */
export const statusOf = (snap: { value: unknown }): string => snap.value as string;
