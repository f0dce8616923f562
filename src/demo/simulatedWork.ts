/**
 * @module simulatedWork: the demo's handlers and verifiers. Work is timed steps scaled by speed, with
 * progress reports, a durable checkpoint per step (a resumed attempt carries on from it) and seeded
 * failures (the same task id and attempt always fail or succeed the same way).
 */
import type { Json } from '../../machines/types.js';
import type { Handler, HandlerContext, Verifier } from '../effects/types.js';
import { workProfile } from './buildTeam.js';

/** Attempts after this one never fail, so every demo task ends up succeeding after retries. */
const lastFlakyAttempt = 2;
const steps = 10;

/**
 * A number in [0, 1) determined by `key` (FNV-1a, then a mix): seeded randomness for the demo.
 * @example seededRandom('build:core#1') // always the same value
 */
export function seededRandom(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 2 ** 32;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

class SimulatedFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SimulatedFailure';
    this.code = code;
  }
}

const failures: Record<string, [code: string, message: string]> = {
  plan: ['planner_timeout', 'dependency graph solver timed out'],
  download: ['network_error', 'connection reset by mirror'],
  build: ['compile_error', 'compiler crashed (out of memory)'],
  encrypt: ['hsm_busy', 'hardware security module busy'],
  ui: ['bundler_error', 'bundler ran out of file handles'],
  test: ['runner_crashed', 'test runner lost its worker'],
  quality: ['scanner_error', 'scanner could not reach the rules service'],
  release: ['registry_error', 'package registry returned 503'],
};

/**
 * Handlers by task type for the demo hive. `speed` divides every duration.
 * @example const hive = await createHive({ handlers: demoHandlers(4), verifiers: demoVerifiers })
 */
export function demoHandlers(speed: number): Record<string, Handler> {
  const work: Handler = async (task, ctx: HandlerContext) => {
    const profile = workProfile[task.type] ?? { ms: 2000, failRate: 0 };
    const total = profile.ms * (0.7 + 0.6 * seededRandom(`${task.id}:duration`));
    const stepMs = total / steps / speed;
    const roll = seededRandom(`${task.id}#${ctx.attempt}`);
    const failAt = ctx.attempt <= lastFlakyAttempt && roll < profile.failRate ? 1 + Math.floor((roll / profile.failRate) * (steps - 1)) : -1;
    const resumed = (ctx.lastCheckpoint as { step?: number } | undefined)?.step ?? 0;
    for (let step = resumed + 1; step <= steps; step++) {
      await sleep(stepMs, ctx.signal);
      if (step === failAt) {
        const [code, message] = failures[task.type] ?? ['simulated_failure', 'simulated failure'];
        throw new SimulatedFailure(code, `${message} (step ${step}/${steps}, attempt ${ctx.attempt})`);
      }
      await ctx.checkpoint({ step });
      await ctx.progress((step / steps) * 100);
    }
    const output: { [k: string]: Json } = { artifact: `${task.id.replace(':', '/')}.out`, attempt: ctx.attempt, resumedFromStep: resumed };
    if (task.verify) {
      // Some first-attempt results are bad and the verifier sends them back for another attempt.
      const flaky = ctx.attempt === 1 && seededRandom(`${task.id}:verify`) < 0.3;
      output.checks = { passed: flaky ? 47 : 50, failed: flaky ? 3 : 0 };
    }
    return output;
  };
  return Object.fromEntries(Object.keys(workProfile).map((type) => [type, work]));
}

const checkOutput: Verifier = (task) => {
  const checks = (task.output as { checks?: { failed?: number } } | undefined)?.checks;
  if (!checks) return { ok: false, reason: 'no check results in the output' };
  return checks.failed === 0 ? true : { ok: false, reason: `${checks.failed} checks failed` };
};

/** Verifiers for the demo's `verify: true` tasks (tests and quality gates). */
export const demoVerifiers: Record<string, Verifier> = { test: checkOutput, quality: checkOutput };
