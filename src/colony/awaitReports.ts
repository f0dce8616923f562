/** @module awaitReports: waits for colony workers' reports, stopping the late ones at a timeout. */
import type { WorkerReport } from '../../machines/worker.js';
import type { Kernel } from '../kernel/Kernel.js';
import type { HiveEvent } from '../kernel/Listeners.js';

/**
 * Resolves once every worker in `pending` has finished (each report lands in `reports`). At
 * `timeoutMs` the workers still unfinished are stopped as `timeout`; their `worker.finished` events
 * complete the reports. Subscribes synchronously: call it in the same step that found them unfinished.
 * @example await awaitReports(kernel, 'c1', new Set(['w1']), reports, 60_000)
 */
export function awaitReports(
  kernel: Kernel,
  colonyId: string,
  pending: Set<string>,
  reports: Map<string, WorkerReport>,
  timeoutMs: number | undefined,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const off = kernel.on('worker.finished', (e: HiveEvent) => {
      const id = e.workerId as string;
      if (e.colonyId !== colonyId || !pending.has(id)) return;
      reports.set(id, e.report as unknown as WorkerReport);
      pending.delete(id);
      if (pending.size > 0) return;
      clearTimeout(timer);
      off();
      resolve();
    });
    if (timeoutMs === undefined) return;
    timer = setTimeout(() => {
      // Still unfinished: stop them as timed out; their `worker.finished` events complete the reports.
      const late = [...pending];
      kernel
        .submit({ type: 'worker.stop', colonyId, workerIds: late, reason: 'timeout' })
        .then(
          () => undefined,
          (err: unknown) => err,
        )
        .then((err) => {
          off();
          if (err && pending.size > 0) reject(err);
          else resolve();
        });
    }, timeoutMs);
  });
}
