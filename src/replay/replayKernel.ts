/** @module replayKernel: a kernel that only replays (no effects, no timers, no periodic checkpoints, a silent logger). */
import { pino } from 'pino';
import { systemClock } from '../clock.js';
import { Kernel, type EffectRunner, type KernelMachines } from '../kernel/Kernel.js';
import type { KernelStore } from '../store/KernelStore.js';

const noEffects: EffectRunner = {
  execute: () => undefined,
  verify: () => undefined,
  abort: () => undefined,
};

const silent = pino({ level: 'silent' });

/**
 * Creates a kernel over `store` and restores it (the store's checkpoint plus its journal). Replay
 * uses the kernel's own apply logic: the same code that ran the recorded hive. With
 * `recordChanges`, what each replayed input did to each actor is kept for `takeChanges()`.
 * @example const kernel = replayKernel(new MemoryStore(source).view(0, 100))
 */
export function replayKernel(store: KernelStore, machines?: Partial<KernelMachines>, o: { recordChanges?: boolean } = {}): Kernel {
  const kernel = new Kernel({
    store,
    clock: systemClock,
    logger: silent,
    effects: noEffects,
    checkpointEvery: Number.MAX_SAFE_INTEGER,
    checkpointMs: Infinity,
    ...(machines ? { machines } : {}),
    ...o,
  });
  kernel.recover();
  return kernel;
}
