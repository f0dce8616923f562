/**
 * @module optionValues: turns command-line option strings into the values the API's queries take
 * (`hive.audit()`, `hive.messages()`), or a ValidationError that names the option, says what is
 * allowed and what was given. Only the string-to-value step lives here: ranges and allowed names
 * are checked by the API itself, so the CLI and the API accept the same values.
 */
import { InvalidArgumentError } from 'commander';
import { ValidationError } from '../errors.js';

/**
 * Parses a positive integer option value; commander reports the error as one line.
 * @example new Option('--limit <n>').argParser(positiveInt)
 */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1.');
  return n;
}

/**
 * A whole number written in digits (range checks are the API's).
 * @example new Option('--limit <n>').argParser((v) => wholeNumberArg('--limit', v)) // '50' -> 50
 */
export function wholeNumberArg(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new ValidationError(name, `must be a whole number; got ${JSON.stringify(value)}`);
  return n;
}

/**
 * A time as ISO 8601 (a date, or a date and time; without a zone it is UTC for a date alone and
 * local time otherwise, as `Date.parse` reads it) or as milliseconds since the epoch, in epoch ms.
 * @example timeArg('--since', '2026-11-22T10:00:00Z') // 1795341600000; timeArg('--since', '1795341600000') too
 */
export function timeArg(name: string, value: string): number {
  if (/^\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  // Date.parse also takes loose forms ('1', 'March 7'): only ISO-shaped strings are times here.
  const ms = /^\d{4}-\d{2}-\d{2}(T|$)/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0)
    throw new ValidationError(
      name,
      `must be an ISO 8601 time (such as 2026-11-22 or 2026-11-22T10:00:00Z) or milliseconds since the epoch; got ${JSON.stringify(value)}`,
    );
  return ms;
}

/**
 * Runs an API query made from option values; a ValidationError it throws about one of them names
 * the option the user typed (`type: ...` becomes `--type: ...`), as the parsers above do.
 * @example withOptionNames(() => view.audit({ type: o.type })) // throws '--type: must be one of assign, ...'
 */
export function withOptionNames<T>(query: () => T): T {
  try {
    return query();
  } catch (err) {
    if (err instanceof ValidationError && !err.field.startsWith('-')) throw new ValidationError(`--${err.field}`, err.message.slice(`${err.field}: `.length));
    throw err;
  }
}
