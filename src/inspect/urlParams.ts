/** @module urlParams: reading the inspector API's query parameters, with typed errors that say what is allowed. */
import { ValidationError } from '../errors.js';

/**
 * An integer query parameter from `min` to `max`, or `fallback` when absent or empty.
 * @example intParam(new URL('http://x/?seq=5'), 'seq', 0) // 5
 */
export function intParam(url: URL, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ValidationError(name, `must be an integer, got ${JSON.stringify(v)}`);
  if (n < min || n > max) throw new ValidationError(name, `must be from ${min} to ${max}, got ${n}`);
  return n;
}

/**
 * The required `address` parameter.
 * @example addressParam(new URL('http://x/?address=task:t1')) // 'task:t1'
 */
export function addressParam(url: URL): string {
  const a = url.searchParams.get('address');
  if (!a) throw new ValidationError('address', 'is required: an actor address such as task:build-1, agent:a1 or coordinator');
  return a;
}
