/** @module faultPlan: what the torture run's `--faults` mode does to each cycle, drawn from the seed. */
import { hash, prng } from './prng.js';

export type FaultKind = 'none' | 'append' | 'checkpoint' | 'eio';

export interface CyclePlan {
  /** The store failure injected at `faultAtMs` after the child is ready ('none': only the SIGKILL). */
  kind: FaultKind;
  faultAtMs: number;
  /** When the parent deletes hive.lock, ms after ready. */
  deleteLockAtMs: number;
  /** Whether a second process then tries to open the directory (it must be refused). */
  intruder: boolean;
}

/**
 * The plan for one cycle, from its own stream so that `--faults` leaves the kill instants of a seed unchanged.
 * @example planCycle(7, 3, 420, true) // { kind: 'eio', faultAtMs: 133, deleteLockAtMs: 250, intruder: false }
 */
export function planCycle(seed: number, cycle: number, killAfterMs: number, eio: boolean): CyclePlan {
  const r = prng(hash(seed, 'faults', cycle));
  const x = r();
  const kind: FaultKind = x < 0.4 ? 'none' : x < 0.6 ? 'append' : x < 0.8 ? 'checkpoint' : eio ? 'eio' : 'append';
  return {
    kind,
    faultAtMs: Math.round(r() * killAfterMs),
    deleteLockAtMs: Math.round(r() * killAfterMs),
    // Only while nothing else can release the lock: a faulted child closes the hive on purpose.
    intruder: kind === 'none' && r() < 0.5,
  };
}
