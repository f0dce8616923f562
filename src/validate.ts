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
  /** About 100 years: far enough for any delay, small enough to stay an exact integer when added to a time. */
  maxDelayMs: 100 * 365 * 24 * 60 * 60 * 1000,
} as const;

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/;

/** Ids: 1-200 characters of letters, digits and . _ : @ / - (starting with a letter or digit). */
export function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > limits.idLength || !idPattern.test(value)) {
    throw new ValidationError(field, `must be 1-${limits.idLength} characters of letters, digits and . _ : @ / - starting with a letter or digit; got ${preview(value)}`);
  }
  return value;
}

export function checkName(field: string, value: unknown, max = 200): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max || !value.isWellFormed()) {
    throw new ValidationError(field, `must be a non-empty string of at most ${max} characters of well-formed Unicode; got ${preview(value)}`);
  }
  return value;
}

export function checkInt(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max}; got ${preview(value)}`);
  }
  return value;
}

export function checkTime(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(field, `must be a time in milliseconds since the epoch (a non-negative finite number); got ${preview(value)}`);
  }
  return value;
}

export function checkBool(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(field, `must be true or false; got ${preview(value)}`);
  return value;
}

/** Task priority: 'normal' | 'high' | 'critical' or an integer 0-1000 (higher runs first). */
export function checkTaskPriority(field: string, value: unknown): number {
  if (typeof value === 'string' && value in taskPriorityByName) return taskPriorityByName[value as keyof typeof taskPriorityByName];
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= limits.taskPriority) return value;
  throw new ValidationError(field, `must be 'normal', 'high', 'critical' or an integer from 0 to ${limits.taskPriority}; got ${preview(value)}`);
}

/** Rejects keys an options object does not know, so typos do not pass silently. */
export function checkKeys(field: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError(field, `must be an object; got ${preview(value)}`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new ValidationError(field, `unknown option ${JSON.stringify(key)}; allowed: ${allowed.join(', ')}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Checks that a value is plain JSON (no functions, undefined, NaN, class instances or cycles),
 * at most 64 levels deep and 1 MiB serialised.
 * @example checkJson('input', { a: [1, 'x'] })
 */
export function checkJson(field: string, value: unknown): Json {
  const seen = new Set<object>();
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > limits.jsonDepth) throw new ValidationError(field, `is nested deeper than ${limits.jsonDepth} levels at ${path}`);
    if (v === null || typeof v === 'boolean') return;
    if (typeof v === 'string') {
      // The store encodes strings as UTF-8: a lone surrogate would come back changed.
      if (!v.isWellFormed()) throw new ValidationError(field, `must be JSON with well-formed Unicode strings: ${path} has a lone surrogate`);
      return;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new ValidationError(field, `must be JSON: ${path} is ${v}, which JSON cannot hold`);
      return;
    }
    if (typeof v !== 'object') throw new ValidationError(field, `must be JSON: ${path} is a ${typeof v}`);
    if (seen.has(v)) throw new ValidationError(field, `must be JSON: ${path} refers back to itself (a cycle)`);
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
      throw new ValidationError(field, `must be JSON: ${path} is a ${(v as object).constructor?.name ?? 'non-plain object'}, not a plain object`);
    }
    seen.add(v);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
    else for (const [k, x] of Object.entries(v)) {
      if (k === '__proto__') throw new ValidationError(field, `must not use the key "__proto__" (at ${path}); it cannot be stored safely`);
      if (!k.isWellFormed()) throw new ValidationError(field, `must be JSON with well-formed Unicode strings: a key in ${path} has a lone surrogate`);
      if (x === undefined) throw new ValidationError(field, `must be JSON: ${path}.${k} is undefined`);
      walk(x, `${path}.${k}`, depth + 1);
    }
    seen.delete(v);
  };
  walk(value, field, 0);
  const size = Buffer.byteLength(JSON.stringify(value));
  if (size > limits.jsonBytes) throw new ValidationError(field, `is ${size} bytes of JSON; at most ${limits.jsonBytes} are allowed`);
  return value as Json;
}

export function checkStringArray(field: string, value: unknown, opts: { nonEmpty: boolean; item: (f: string, v: unknown) => string }): string[] {
  if (!Array.isArray(value)) throw new ValidationError(field, `must be an array of strings; got ${preview(value)}`);
  if (opts.nonEmpty && value.length === 0) throw new ValidationError(field, 'must list at least one entry');
  const out = value.map((v, i) => opts.item(`${field}[${i}]`, v));
  if (new Set(out).size !== out.length) throw new ValidationError(field, 'must not repeat an entry');
  return out;
}

/** A short, never-throwing description of a value for error messages. */
export function preview(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${typeof value}`;
}
