/**
 * @module testColony: the demo's colony. The coverage quality gate fans out one worker per module
 * (a simulated coverage run, with seeded crashes that supervision resurrects and seeded partial
 * results) and fans their reports in to decide. Reports are data: a gate re-dispatched after a
 * crash waits for the workers its first attempt spawned (their ids are in its checkpoint).
 */
import type { Json } from '../../machines/types.js';
import type { Colony } from '../colony/Colony.js';
import type { PartialResult, WorkerHandler } from '../colony/workerTypes.js';
import type { Handler } from '../effects/types.js';
import { modules } from './buildTeam.js';
import { seededRandom } from './simulatedWork.js';

export const testColonyId = 'demo-tests';

/** Simulated time of one module's coverage run at speed 1. */
const runMs = 3000;

/**
 * The colony's worker: measures one module's coverage. Its first attempt crashes for some modules
 * (supervision resurrects it); some report `partial` (flaky tests skipped).
 * @example await hive.spawnColony({ id: testColonyId, name: 'tests', handler: coverageWorker(4) })
 */
export function coverageWorker(speed: number): WorkerHandler {
  return async (job, ctx): Promise<Json | PartialResult> => {
    const module = (job.input as { module: string }).module;
    await sleep((runMs * (0.6 + 0.8 * seededRandom(`${module}:coverage`))) / speed, ctx.signal);
    if (ctx.attempt === 1 && seededRandom(`${module}:crash`) < 0.3) throw new Error(`coverage runner for ${module} crashed`);
    const coverage = 70 + Math.floor(25 * seededRandom(`${module}:percent`));
    if (seededRandom(`${module}:flaky`) < 0.3) return { status: 'partial', summary: '2 flaky tests skipped', output: { module, coverage } };
    return { module, coverage };
  };
}

/**
 * The handler of `quality:coverage`: fan-out one worker per module, fan-in their reports, pass
 * when none failed. The verifier reads `checks` as it does for the other gates.
 */
export function coverageGate(colony: () => Colony): Handler {
  return async (_task, ctx) => {
    const prior = (ctx.lastCheckpoint as { workerIds?: string[] } | undefined)?.workerIds;
    const ids = prior ?? (await colony().spawnBatch(modules.map((module) => ({ task: `measure coverage of ${module}`, input: { module } }))));
    if (!prior) await ctx.checkpoint({ workerIds: ids });
    const reports = await untilAborted(colony().waitForReports(ids), ctx.signal);
    const failed = reports.filter((r) => r.status !== 'success' && r.status !== 'partial');
    const coverage: { [module: string]: Json } = {};
    for (const r of reports) {
      const out = r.output as { module?: string; coverage?: number } | undefined;
      if (out?.module) coverage[out.module] = { coverage: out.coverage ?? null, status: r.status, ...(r.summary ? { note: r.summary } : {}) };
    }
    return { artifact: 'quality/coverage.out', attempt: ctx.attempt, coverage, checks: { passed: reports.length - failed.length, failed: failed.length } };
  };
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    work.then(resolve, reject);
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
