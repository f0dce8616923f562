/**
 * @module TimerHost: keeps one host timer armed for the earliest durable timer. When it is due, its
 * firing is submitted as a journaled `timer.fired` input; applying that input re-arms. Delays are
 * clamped to what `setTimeout` accepts, so far-off timers re-arm instead of overflowing.
 */
import type { Clock } from '../clock.js';
import type { TimerTable } from './TimerTable.js';

/** Largest delay `setTimeout` takes (2^31 - 1 ms, about 24.8 days); longer ones re-arm when it fires. */
export const maxHostDelayMs = 2 ** 31 - 1;

export class TimerHost {
  private armed: { handle: unknown; due: number } | undefined;
  /** Timers whose `timer.fired` input is being journaled; not armed again until it is applied. */
  private readonly firing = new Set<string>();
  private stopped = false;

  constructor(
    private readonly timers: TimerTable,
    private readonly clock: Clock,
    private readonly fire: (timerId: string, due: number) => Promise<unknown>,
  ) {}

  /** Arms the host timer for the earliest durable timer, unless an earlier one is armed already. */
  arm(): void {
    if (this.stopped) return;
    const next = this.timers.next();
    if (!next || this.firing.has(next.timerId)) return;
    if (this.armed && this.armed.due <= next.due) return;
    if (this.armed) this.clock.clearTimeout(this.armed.handle);
    const delay = Math.min(maxHostDelayMs, Math.max(0, next.due - this.clock.now()));
    this.armed = { due: next.due, handle: this.clock.setTimeout(() => this.fireDue(), delay) };
  }

  /** The `timer.fired` input of `timerId` was applied. */
  fired(timerId: string): void {
    this.firing.delete(timerId);
  }

  stop(): void {
    this.stopped = true;
    if (this.armed) this.clock.clearTimeout(this.armed.handle);
    this.armed = undefined;
  }

  private fireDue(): void {
    this.armed = undefined;
    if (this.stopped) return;
    for (const t of this.timers.due(this.clock.now())) {
      if (this.firing.has(t.timerId)) continue;
      this.firing.add(t.timerId);
      this.fire(t.timerId, t.due).catch(() => this.firing.delete(t.timerId));
    }
    this.arm();
  }
}
