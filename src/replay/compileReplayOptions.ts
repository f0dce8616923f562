/** @module compileReplayOptions: a replay session's options checked and defaulted, for `openReplay`, `hivestate replay` and the inspector. */
import type { KindName } from '../../machines/address.js';
import { ValidationError } from '../errors.js';
import type { KernelMachines } from '../kernel/KernelCore.js';
import { kinds } from '../kernel/kinds/index.js';
import { checkInt, checkKeys, preview } from '../validate.js';

export interface ReplayOptions {
  /** Machines to replay with instead of the built-in ones, by actor kind (to test a changed machine against a recording). */
  machines?: Partial<KernelMachines>;
  /** For sources without stored seek data: build a seek point every this many inputs. @default 5000 */
  seekEvery?: number;
}

/** A replay session's options with the defaults filled in. */
export interface CompiledReplayOptions {
  machines?: Partial<KernelMachines>;
  seekEvery: number;
}

export const defaultReplayOptions = { seekEvery: 5000 } as const;

/**
 * Checks a replay session's options: no unknown keys, `seekEvery` a positive integer, `machines`
 * keyed by actor kinds the kernel has, each an XState machine. Throws ValidationError naming the field.
 * @example compileReplayOptions({ machines: { task: changedTaskMachine } })
 */
export function compileReplayOptions(options: ReplayOptions): CompiledReplayOptions {
  const o = checkKeys('openReplay', options, ['machines', 'seekEvery']);
  const seekEvery = o.seekEvery === undefined ? defaultReplayOptions.seekEvery : checkInt('seekEvery', o.seekEvery, 1, 1_000_000_000);
  if (o.machines === undefined) return { seekEvery };
  const machines = checkKeys('machines', o.machines, Object.keys(kinds));
  for (const [kind, machine] of Object.entries(machines)) {
    if (typeof (machine as { transition?: unknown } | undefined)?.transition !== 'function')
      throw new ValidationError(`machines.${kind}`, `must be an XState machine (from setup(...).createMachine(...)); got ${preview(machine)}`);
  }
  return { machines: machines as Partial<Record<KindName, KernelMachines[KindName]>>, seekEvery };
}
