/**
 * @module DemoClock: the demo's elapsed time, counting only while a demo process runs. The time
 * run so far is kept in `demo-clock.json` in the data directory (saved every second and at the
 * end), so a rerun after Ctrl-C or kill -9 continues from it instead of counting the pause.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file beside the hive's LMDB files that holds the demo's elapsed time. */
export const demoClockFile = 'demo-clock.json';

export class DemoClock {
  private readonly path: string;
  private readonly before: number;
  private readonly startedAt: number;
  private timer: NodeJS.Timeout | undefined;

  /**
   * Starts counting from what earlier runs on `dataDir` saved.
   * @example const clock = new DemoClock('./.hivestate'); clock.elapsedMs()
   */
  constructor(
    dataDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.path = join(dataDir, demoClockFile);
    this.before = readSaved(this.path);
    this.startedAt = now();
  }

  /** Time all demo runs on this directory have run, this one included. */
  elapsedMs(): number {
    return this.before + Math.max(0, this.now() - this.startedAt);
  }

  /** Saves every second until `stop()`; a kill loses at most the last second. */
  start(): this {
    this.timer = setInterval(() => this.save(), 1000);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.save();
  }

  private save(): void {
    try {
      const tmp = `${this.path}.tmp`;
      writeFileSync(tmp, JSON.stringify({ elapsedMs: this.elapsedMs() }));
      renameSync(tmp, this.path); // atomic: a kill leaves the old or the new value, never half a file
    } catch {
      // The elapsed time is a display nicety; a read-only or vanished directory must not stop the demo.
    }
  }
}

function readSaved(path: string): number {
  try {
    const v = (JSON.parse(readFileSync(path, 'utf8')) as { elapsedMs?: unknown }).elapsedMs;
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0;
  } catch {
    return 0;
  }
}
