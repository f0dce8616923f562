/**
 * @module The torture handler, shared by the in-process child and the remote workers: seeded steps
 * with progress and checkpoints, some attempts overrun their timeout or fail. Every start,
 * acknowledged checkpoint and output goes to the side files after the call it records resolved.
 */
import type { Handler, Json, TaskView } from '../../src/index.js';
import { hash, prng } from './prng.js';
import { append, readAll } from './sideFiles.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    });
  });

/**
 * The handler for `step` and `check` tasks. `checkDependencies` (in process only) reads the hive.
 * @example const work = tortureWork({ sideDir, seed, cycle: 3 })
 */
export function tortureWork(o: { sideDir: string; seed: number; cycle: number; checkDependencies?: (task: TaskView) => Promise<void> }): Handler {
  // Latest checkpoint acknowledged per task, across all earlier processes too.
  const acked = new Map<string, number>();
  for (const c of readAll<{ taskId: string; n: number }>(o.sideDir, 'checkpoints')) acked.set(c.taskId, Math.max(acked.get(c.taskId) ?? 0, c.n));
  return async (task, ctx) => {
    const r = prng(hash(o.seed, task.id, ctx.attempt));
    await o.checkDependencies?.(task);
    const seen = (ctx.lastCheckpoint as { n?: number } | undefined)?.n ?? 0;
    if (seen < (acked.get(task.id) ?? 0)) append(o.sideDir, 'violations', { kind: 'stale-checkpoint', taskId: task.id, seen, acked: acked.get(task.id) });
    append(o.sideDir, 'starts', { taskId: task.id, attempt: ctx.attempt, cycle: o.cycle, seen });
    let n = seen;
    const steps = 1 + Math.floor(r() * 3);
    for (let i = 0; i < steps; i++) {
      await sleep(r() * 4, ctx.signal);
      await ctx.progress(Math.round(((i + 1) / steps) * 100));
      await ctx.checkpoint({ n: ++n });
      acked.set(task.id, n);
      append(o.sideDir, 'checkpoints', { taskId: task.id, attempt: ctx.attempt, n });
    }
    if (task.timeoutMs !== undefined && r() < 0.3) await sleep(task.timeoutMs * 4, ctx.signal);
    if (r() < 0.25) throw Object.assign(new Error(`simulated failure of attempt ${ctx.attempt}`), { code: 'simulated' });
    const output = { taskId: task.id, attempt: ctx.attempt, token: Math.floor(r() * 1e9) };
    append(o.sideDir, 'outputs', output);
    return output as Json;
  };
}
