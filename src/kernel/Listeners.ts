/** @module Listeners: `hive.on()` listeners and the waiters of `waitForTask`, answered after an input is applied. */
import type { Logger } from 'pino';
import type { Notification } from '../../machines/types.js';
import type { TaskView } from '../views.js';

/** A notification as listeners see it: the machine's fields plus the input that caused it. */
export type HiveEvent = Notification & { seq: number };

export class Listeners {
  private readonly byType = new Map<string, Set<(e: HiveEvent) => void>>();
  private readonly settledWaiters = new Map<string, Set<(view: TaskView) => void>>();

  constructor(private readonly logger: Logger) {}

  on(type: string, fn: (e: HiveEvent) => void): () => void {
    let set = this.byType.get(type);
    if (!set) this.byType.set(type, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }

  /** Calls `fn` once the task reaches a terminal state. */
  onSettled(id: string, fn: (view: TaskView) => void): () => void {
    let set = this.settledWaiters.get(id);
    if (!set) this.settledWaiters.set(id, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }

  /** Delivers a notification to its listeners; builds nothing when nobody listens. A throwing listener is logged. */
  emit(n: Notification, seq: number): void {
    const typed = this.byType.get(n.type);
    const all = this.byType.get('*');
    if (!typed?.size && !all?.size) return;
    const event = { ...n, seq } as HiveEvent;
    for (const set of [typed, all]) {
      for (const fn of set ?? []) {
        try {
          fn(event);
        } catch (err) {
          this.logger.warn({ err, event: n.type }, 'an event listener threw');
        }
      }
    }
  }

  /** Answers the waiters of a task that settled. */
  settled(taskId: string, view: (id: string) => TaskView | undefined): void {
    const waiters = this.settledWaiters.get(taskId);
    if (!waiters) return;
    this.settledWaiters.delete(taskId);
    const v = view(taskId);
    if (v) for (const w of waiters) w(v);
  }
}
