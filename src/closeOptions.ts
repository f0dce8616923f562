/** @module closeOptions: the options of `hive.close()`, their defaults and their one compile step. */
import { checkInt, checkKeys } from './validate.js';

export interface CloseOptions {
  /**
   * How long to wait for running handlers to return after their signals are aborted. Handlers still
   * running then are abandoned: their outcomes are dropped and their tasks are re-dispatched on the
   * next open, as after a crash. @default 5000
   */
  timeoutMs?: number;
}

export const defaultCloseOptions = { timeoutMs: 5000 } as const;

/**
 * Checks `close()` options and applies the defaults.
 * @example compileCloseOptions({}) // { timeoutMs: 5000 }
 */
export function compileCloseOptions(options: CloseOptions): Required<CloseOptions> {
  const o = checkKeys('close', options, ['timeoutMs']);
  return { timeoutMs: o.timeoutMs === undefined ? defaultCloseOptions.timeoutMs : checkInt('close.timeoutMs', o.timeoutMs, 0, 2 ** 31 - 1) };
}
