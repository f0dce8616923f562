/**
 * @module Liveness: when the hive last heard from each remote worker, on the host's clock. A
 * worker silent for the timeout is reported once per period; the report is journaled by the hub
 * (`worker.lost`), so the decision, not the clock, is what replay sees.
 */
export class Liveness {
  private readonly heardAt = new Map<string, number>();
  private since: number;

  constructor(
    private readonly timeoutMs: number,
    private readonly now: () => number,
  ) {
    this.since = now();
  }

  /** A message from the agent's current worker arrived. */
  heard(agentId: string): void {
    this.heardAt.set(agentId, this.now());
  }

  /** The hive could not hear anyone until now (it started, or its NATS link came back): everyone gets a full period. */
  reset(): void {
    this.heardAt.clear();
    this.since = this.now();
  }

  /**
   * The hive itself stalled for `ms` (a long synchronous step, a GC pause, no CPU): messages that
   * arrived meanwhile are not read yet, so the stall does not count as anyone's silence.
   */
  excuse(ms: number): void {
    this.since += ms;
    for (const [id, at] of this.heardAt) this.heardAt.set(id, at + ms);
  }

  /**
   * True when the agent's worker has been silent longer than the timeout.
   * @example if (liveness.silent('w1')) { journalLost('w1'); liveness.reported('w1') }
   */
  silent(agentId: string): boolean {
    return this.now() - (this.heardAt.get(agentId) ?? this.since) > this.timeoutMs;
  }

  /** The silence was reported: the next report comes a full period later at the earliest. */
  reported(agentId: string): void {
    this.heardAt.set(agentId, this.now());
  }
}
