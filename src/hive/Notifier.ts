/**
 * @module Notifier: calls `createHive({ notify })` once when a task or worker spawned with
 * `notify: true` finishes (not when it was cancelled or stopped). Called from the live event
 * stream, after the outcome is durable; a notifier that throws is logged, never fatal.
 */
import type { Logger } from 'pino';
import type { WorkerReport } from '../../machines/worker.js';
import type { Kernel } from '../kernel/Kernel.js';
import type { TaskView } from '../views.js';

/** What the notifier is told. */
export type HiveNotice = { kind: 'task'; task: TaskView } | { kind: 'worker'; colonyId: string; report: WorkerReport };

export type Notify = (notice: HiveNotice) => void | Promise<void>;

/** Terminal task events that notify: every way a task ends except `cancelled`. */
const finishedTaskEvents = ['task.completed', 'task.verified', 'task.failed', 'task.timed_out', 'task.rejected'] as const;

/**
 * Subscribes the notifier to the kernel's events; returns the unsubscribe function.
 * @example const off = startNotifier(kernel, (n) => console.log(n.kind), logger)
 */
export function startNotifier(kernel: Kernel, notify: Notify, logger: Logger): () => void {
  const call = (notice: HiveNotice) =>
    void Promise.resolve()
      .then(() => notify(notice))
      .catch((err: unknown) => logger.warn({ err, notice: notice.kind }, 'the notifier threw; the work it reports on is unaffected'));
  const offs = finishedTaskEvents.map((type) =>
    kernel.on(type, (e) => {
      const task = kernel.getTask(e.taskId as string);
      if (task?.notify) call({ kind: 'task', task });
    }),
  );
  offs.push(
    kernel.on('worker.finished', (e) => {
      const report = e.report as unknown as WorkerReport;
      if (e.notify === true && report.status !== 'stopped') call({ kind: 'worker', colonyId: e.colonyId as string, report });
    }),
  );
  return () => {
    for (const off of offs) off();
  };
}
