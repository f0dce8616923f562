/** @module compileRateLimits: checks the `rateLimits` option of createHive. */
import { checkInt, checkKeys, checkName, limits, readSafely } from '../validate.js';
import type { RateLimits } from './syncRateLimits.js';

/**
 * The limits by task type, checked; undefined when the option was not given.
 * @example compileRateLimits({ email: { max: 10, perMs: 1000 } })?.get('email') // { max: 10, perMs: 1000 }
 */
export function compileRateLimits(value: unknown): RateLimits | undefined {
  if (value === undefined) return undefined;
  const byType = checkKeys(
    'rateLimits',
    value,
    readSafely('rateLimits', () => (typeof value === 'object' && value !== null ? Object.keys(value) : [])),
  );
  const out = new Map<string, { max: number; perMs: number }>();
  for (const [type, limit] of Object.entries(byType)) {
    checkName('rateLimits type', type);
    const l = checkKeys(`rateLimits.${type}`, limit, ['max', 'perMs']);
    out.set(type, { max: checkInt(`rateLimits.${type}.max`, l.max, 1, 100_000), perMs: checkInt(`rateLimits.${type}.perMs`, l.perMs, 1, limits.maxDelayMs) });
  }
  return out;
}
