/** @module deepFreeze: JSON values that enter actor state are frozen, so a handler or caller cannot change state behind the journal's back. */
import type { Json } from '../../machines/types.js';

/**
 * Freezes a JSON value and everything in it; returns it.
 * @example deepFreeze({ a: [1] }).a.push(2) // TypeError: the array is frozen
 */
export function deepFreeze<T extends Json | undefined>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) for (const v of value) deepFreeze(v);
  else for (const k in value) deepFreeze((value as Record<string, Json>)[k]);
  return value;
}
