/**
 * @module outcomes: how a handler's result or error, or a verifier's answer, becomes an attempt
 * outcome. Shared by the in-process Executor and remote workers, so both record the same thing.
 */
import type { Json, TaskError } from '../../machines/types.js';
import { checkJson, preview } from '../validate.js';

/**
 * A handler's resolved value as an outcome: JSON output, or a `bad_output` failure saying why not.
 * @example outputOutcome({ ok: 1 }) // { ok: true, output: { ok: 1 } }
 */
export function outputOutcome(output: unknown): { ok: true; output: Json } | { ok: false; error: TaskError } {
  try {
    return { ok: true, output: checkJson('output', output === undefined ? null : output) };
  } catch (err) {
    return { ok: false, error: { code: 'bad_output', message: (err as Error).message } };
  }
}

/**
 * A verifier's answer: `true`/`false` or `{ ok, reason? }`; anything else fails verification and says why.
 * @example readVerdict({ ok: false, reason: 'blurry' }) // { ok: false, reason: 'blurry' }
 */
export function readVerdict(verdict: unknown): { ok: true } | { ok: false; reason: string } {
  if (verdict === true) return { ok: true };
  if (verdict === false) return { ok: false, reason: 'the verifier refused the output' };
  if (typeof verdict === 'object' && verdict !== null && typeof (verdict as { ok?: unknown }).ok === 'boolean') {
    const { ok, reason } = verdict as { ok: boolean; reason?: unknown };
    if (ok) return { ok: true };
    return { ok: false, reason: typeof reason === 'string' && reason ? reason : 'the verifier refused the output' };
  }
  return { ok: false, reason: `the verifier returned ${preview(verdict)}; it must return true, false or { ok, reason? }` };
}
