/**
 * @module outcomes: how a handler's result or error, or a verifier's answer, becomes an attempt
 * outcome. Shared by the in-process Executor and remote workers, so both record the same thing.
 */
import type { Json, TaskError } from '../../machines/types.js';
import { checkJson, preview } from '../validate.js';
import { describeThrown } from './describeThrown.js';

/**
 * A handler's resolved value as an outcome: JSON output, or a `bad_output` failure saying why not.
 * @example outputOutcome({ ok: 1 }) // { ok: true, output: { ok: 1 } }
 */
export function outputOutcome(output: unknown): { ok: true; output: Json } | { ok: false; error: TaskError } {
  try {
    return { ok: true, output: checkJson('output', output === undefined ? null : output) };
  } catch (err) {
    return { ok: false, error: { code: 'bad_output', message: describeThrown(err).message } };
  }
}

/**
 * A verifier's answer: `true`/`false` or `{ ok, reason? }`; anything else, or an answer that throws
 * when read, fails verification and says why.
 * @example readVerdict({ ok: false, reason: 'blurry' }) // { ok: false, reason: 'blurry' }
 */
export function readVerdict(verdict: unknown): { ok: true } | { ok: false; reason: string } {
  if (verdict === true) return { ok: true };
  if (verdict === false) return { ok: false, reason: 'the verifier refused the output' };
  try {
    if (typeof verdict === 'object' && verdict !== null) {
      const ok: unknown = (verdict as { ok?: unknown }).ok;
      if (ok === true) return { ok: true };
      if (ok === false) {
        const reason: unknown = (verdict as { reason?: unknown }).reason;
        return { ok: false, reason: typeof reason === 'string' && reason ? reason : 'the verifier refused the output' };
      }
    }
  } catch (err) {
    return { ok: false, reason: `the verifier's answer cannot be read: ${describeThrown(err).message}` };
  }
  return { ok: false, reason: `the verifier returned ${preview(verdict)}; it must return true, false or { ok, reason? }` };
}
