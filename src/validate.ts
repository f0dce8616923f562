/** @module Validation of every public argument: a ValidationError that says what is allowed, before anything is journaled. */
import { taskPriorityByName, type Json } from '../machines/types.js';
import { ValidationError } from './errors.js';

export const limits = {
  idLength: 200,
  jsonDepth: 64,
  jsonBytes: 1024 * 1024,
  maxRetries: 100,
  maxConcurrent: 10_000,
  taskPriority: 1000,
  listLength: 100_000,
  /** About 100 years: far enough for any delay, small enough to stay an exact integer when added to a time. */
  maxDelayMs: 100 * 365 * 24 * 60 * 60 * 1000,
} as const;

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/;

/** Ids: 1-200 characters of letters, digits and . _ : @ / - (starting with a letter or digit). */
export function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > limits.idLength || !idPattern.test(value)) {
    throw new ValidationError(
      field,
      `must be 1-${limits.idLength} characters of letters, digits and . _ : @ / - starting with a letter or digit; got ${preview(value)}`,
    );
  }
  return value;
}

export function checkName(field: string, value: unknown, max = 200): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max || !value.isWellFormed()) {
    throw new ValidationError(field, `must be a non-empty string of at most ${max} characters of well-formed Unicode; got ${preview(value)}`);
  }
  return value;
}

/** Integers from min to max; -0 comes back as 0 (the store cannot keep the sign of zero). */
export function checkInt(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max}; got ${preview(value)}`);
  }
  return value + 0;
}

export function checkTime(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(field, `must be a time in milliseconds since the epoch (a non-negative finite number); got ${preview(value)}`);
  }
  return value + 0;
}

export function checkBool(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(field, `must be true or false; got ${preview(value)}`);
  return value;
}

/** Task priority: 'normal' | 'high' | 'critical' or an integer 0-1000 (higher runs first). */
export function checkTaskPriority(field: string, value: unknown): number {
  // Own keys only: 'constructor' or 'toString' must not find Object.prototype's members.
  if (typeof value === 'string' && Object.hasOwn(taskPriorityByName, value)) return taskPriorityByName[value as keyof typeof taskPriorityByName];
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= limits.taskPriority) return value + 0;
  throw new ValidationError(field, `must be 'normal', 'high', 'critical' or an integer from 0 to ${limits.taskPriority}; got ${preview(value)}`);
}

/**
 * Rejects keys an options object does not know, so typos do not pass silently, and returns a copy
 * of its own keys read once: a getter or Proxy that throws is a ValidationError naming the key, and
 * a getter cannot answer one thing when checked and another when used.
 * @example const o = checkKeys('prune', options, ['before', 'compactJournal'])
 */
export function checkKeys(field: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  const keys = readSafely(field, () => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError(field, `must be an object; got ${preview(value)}`);
    return Object.keys(value);
  });
  const out: Record<string, unknown> = Object.create(null);
  for (const key of keys) {
    if (!allowed.includes(key)) throw new ValidationError(field, `unknown option ${JSON.stringify(key)}; allowed: ${allowed.join(', ')}`);
    out[key] = readSafely(key, () => (value as Record<string, unknown>)[key]);
  }
  return out;
}

/**
 * Runs `read` over user input; anything it throws that is not already a ValidationError (a getter,
 * a Proxy trap, a revoked Proxy) becomes one naming `field`.
 * @example const n = readSafely('spec.count', () => spec.count)
 */
export function readSafely<T>(field: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError(field, `cannot be read: reading it threw ${describeCause(err)}`);
  }
}

function describeCause(err: unknown): string {
  try {
    if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 200);
  } catch {
    // A hostile thrown value is described by its type below.
  }
  return `a ${typeof err}`;
}

/**
 * Checks that a value is plain JSON (no functions, undefined, NaN, class instances, cycles or lone
 * surrogates), at most 64 levels deep and 1 MiB serialised, and returns the copy that is stored:
 * -0 becomes 0 and an array hole null (as JSON.stringify does), objects become plain objects. The
 * value is read once, so a getter cannot change it after the check; one that throws, or a Proxy
 * trap, is a ValidationError naming the path.
 * @example const input = checkJson('input', { a: [1, 'x'] })
 */
export function checkJson(field: string, value: unknown): Json {
  // Most values checked on the hot path (a no-op handler's null output, a null input) are a
  // primitive: answered without the walk's allocations.
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value + 0;
  const seen = new Set<object>();
  // A lower bound on the serialised size, so a huge (or huge sparse) value is refused before it is copied.
  let budget = limits.jsonBytes;
  const spend = (n: number) => {
    budget -= n;
    if (budget < 0) throw new ValidationError(field, `is more than ${limits.jsonBytes} bytes of JSON; at most ${limits.jsonBytes} are allowed`);
  };
  const walk = (v: unknown, path: string, depth: number): Json => {
    if (depth > limits.jsonDepth) throw new ValidationError(field, `is nested deeper than ${limits.jsonDepth} levels at ${path}`);
    if (v === null || typeof v === 'boolean') {
      spend(4);
      return v;
    }
    if (typeof v === 'string') {
      // The store encodes strings as UTF-8: a lone surrogate would come back changed.
      if (!v.isWellFormed()) throw new ValidationError(field, `must be JSON with well-formed Unicode strings: ${path} has a lone surrogate`);
      spend(v.length + 2);
      return v;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new ValidationError(field, `must be JSON: ${path} is ${v}, which JSON cannot hold`);
      spend(1);
      return v + 0; // -0 is stored as 0
    }
    if (typeof v !== 'object') throw new ValidationError(field, `must be JSON: ${path} is a ${typeof v}`);
    if (seen.has(v)) throw new ValidationError(field, `must be JSON: ${path} refers back to itself (a cycle)`);
    seen.add(v);
    const copy = readSafely(field, () => (Array.isArray(v) ? walkArray(v, path, depth) : walkObject(v, path, depth)));
    seen.delete(v);
    return copy;
  };
  const walkArray = (v: unknown[], path: string, depth: number): Json[] => {
    const length = v.length;
    spend(1 + length);
    const out: Json[] = new Array<Json>(length);
    for (let i = 0; i < length; i++) out[i] = Object.hasOwn(v, i) ? walk(at(v, i, `${path}[${i}]`), `${path}[${i}]`, depth + 1) : null;
    return out;
  };
  const walkObject = (v: object, path: string, depth: number): { [k: string]: Json } => {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new ValidationError(field, `must be JSON: ${path} is a ${(v as object).constructor?.name ?? 'non-plain object'}, not a plain object`);
    }
    const out: { [k: string]: Json } = {};
    for (const k of Object.keys(v)) {
      if (k === '__proto__') throw new ValidationError(field, `must not use the key "__proto__" (at ${path}); it cannot be stored safely`);
      if (!k.isWellFormed()) throw new ValidationError(field, `must be JSON with well-formed Unicode strings: a key in ${path} has a lone surrogate`);
      const x = at(v, k, `${path}.${k}`);
      if (x === undefined) throw new ValidationError(field, `must be JSON: ${path}.${k} is undefined`);
      spend(k.length + 3);
      out[k] = walk(x, `${path}.${k}`, depth + 1);
    }
    return out;
  };
  const at = (v: object, key: string | number, path: string): unknown => {
    try {
      return (v as Record<string | number, unknown>)[key];
    } catch (err) {
      throw new ValidationError(field, `${path} cannot be read: reading it threw ${describeCause(err)}`);
    }
  };
  const copy = walk(value, field, 0);
  const size = Buffer.byteLength(JSON.stringify(copy));
  if (size > limits.jsonBytes) throw new ValidationError(field, `is ${size} bytes of JSON; at most ${limits.jsonBytes} are allowed`);
  return copy;
}

/**
 * Text from outside (a thrown error's message, a verifier's reason) made storable: lone
 * surrogates become U+FFFD and it is cut to `max` characters, so what is shown live is what the
 * store gives back after a restart.
 * @example storableText('bad \uD800', 100) // 'bad \uFFFD'
 */
export function storableText(text: string, max: number): string {
  // Cutting may split a surrogate pair; toWellFormed then turns the half left into U+FFFD.
  return (text.length > max ? `${text.slice(0, max - 1)}…` : text).toWellFormed();
}

export function checkStringArray(field: string, value: unknown, opts: { nonEmpty: boolean; item: (f: string, v: unknown) => string }): string[] {
  const list = readSafely(field, () => {
    if (!Array.isArray(value)) throw new ValidationError(field, `must be an array of strings; got ${preview(value)}`);
    if (value.length > limits.listLength) throw new ValidationError(field, `may list at most ${limits.listLength} entries; got ${value.length}`);
    return Array.from({ length: value.length }, (_, i) => readSafely(`${field}[${i}]`, () => value[i] as unknown));
  });
  if (opts.nonEmpty && list.length === 0) throw new ValidationError(field, 'must list at least one entry');
  const out = list.map((v, i) => opts.item(`${field}[${i}]`, v));
  if (new Set(out).size !== out.length) throw new ValidationError(field, 'must not repeat an entry');
  return out;
}

/** A short, never-throwing description of a value for error messages. */
export function preview(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value.toWellFormed());
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined || typeof value === 'bigint') return String(value);
  try {
    if (Array.isArray(value)) return `an array of ${value.length}`;
  } catch {
    // A revoked Proxy or a throwing length getter: described by its type below.
  }
  return `a ${typeof value}`;
}
