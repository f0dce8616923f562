/** @module describeThrown: a storable `{ code, message }` for any value a handler or verifier throws, without ever throwing itself. */
import type { TaskError } from '../../machines/types.js';
import { isHiveError } from '../errors.js';
import { storableText } from '../validate.js';

/** Longest error message journaled; a longer one is cut (the journal is not a log store). */
export const maxErrorMessage = 8192;
/** Longest error code kept from a thrown error's `code`; a longer or empty one gives way to `handler_error`. */
export const maxErrorCode = 100;

/**
 * Describes a thrown value for the journal. Every read of the value is guarded: a thrown Proxy, a
 * throwing `message` or `code` getter, a cycle, a BigInt or a `toJSON` that throws still gives a
 * description. Text is made well-formed and cut to size, so the live view equals the restored one.
 * @example describeThrown(Object.assign(new Error('no disk'), { code: 'ENOSPC' })) // { code: 'ENOSPC', message: 'no disk' }
 */
export function describeThrown(err: unknown): TaskError {
  const code = guard(() => errorCode(err)) ?? 'handler_error';
  const message = guard(() => errorMessage(err)) ?? `a thrown ${typeof err} that cannot be described`;
  return { code: storableText(code, maxErrorCode), message: storableText(message, maxErrorMessage) };
}

function errorCode(err: unknown): string {
  if (!(err instanceof Error)) return 'handler_error';
  const code = guard(() => (err as { code?: unknown }).code);
  if (typeof code === 'string' && code.length > 0 && code.length <= maxErrorCode) return code;
  return isHiveError(err) ? err.code : 'handler_error';
}

function errorMessage(err: unknown): string {
  if (typeof err === 'string') return err || 'an empty string';
  if (typeof err === 'bigint') return `${err}n`;
  if (typeof err !== 'object' && typeof err !== 'function') return String(err);
  if (guard(() => err instanceof Error)) {
    const message = guard(() => (err as Error).message);
    if (typeof message === 'string' && message) return message;
    const name = guard(() => (err as Error).name);
    if (typeof name === 'string' && name) return name;
  }
  const text = guard(() => safeJson(err)) ?? guard(() => String(err));
  if (typeof text === 'string' && text && text !== '[object Object]') return text;
  return guard(() => shape(err as object)) ?? `a thrown ${typeof err} that cannot be described`;
}

/** For an object that neither JSON nor String describe: its class and keys. */
function shape(err: object): string {
  const name = guard(() => err.constructor?.name);
  const keys = Object.keys(err).slice(0, 10);
  return `a thrown ${typeof name === 'string' && name ? name : 'object'} ${keys.length ? `with keys ${keys.join(', ')}` : 'with no keys'}`;
}

/** JSON of a thrown object with cycles and BigInts spelled out; undefined when JSON has nothing to say. */
function safeJson(value: unknown): string | undefined {
  const ancestors: unknown[] = [];
  const text = JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v !== 'object' || v === null) return v;
    // `this` is the holder: drop the ancestors we have returned from, then look for v among the rest.
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
    if (ancestors.includes(v)) return '[Circular]';
    ancestors.push(v);
    return v;
  });
  return text === '{}' ? undefined : text;
}

function guard<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
