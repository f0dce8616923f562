/** @module The worker handler contract: what a colony's job looks like to its code. */
import type { Logger } from 'pino';
import type { Json } from '../../machines/types.js';

export type { WorkerReport, WorkerReportStatus } from '../../machines/worker.js';

/** One worker's job. */
export interface WorkerJob {
  workerId: string;
  colonyId: string;
  task: string;
  input: Json;
  /** With `inheritContext: true`: the overseer's messages as of the spawn and the colony's shared context. */
  inherited?: { context?: Json; messages: Json[] };
}

/** What a worker handler gets besides its job: a task handler's context plus its messages. */
export interface WorkerHandlerContext {
  /** Aborted when the worker is stopped, times out in `waitForReports`, or the hive closes. */
  signal: AbortSignal;
  /** 1 for the first attempt; each resurrection after a crash counts up. */
  attempt: number;
  workerId: string;
  colonyId: string;
  /** Reports progress (0..100); journaled. */
  progress(pct: number, note?: string): Promise<void>;
  /** Stores a JSON checkpoint durably; a resurrected attempt sees it as `lastCheckpoint`. Rejects with `AttemptSupersededError` once this attempt is no longer current. */
  checkpoint(state: Json): Promise<void>;
  lastCheckpoint: Json | undefined;
  /**
   * Messages sent to this worker (`colony.send`, `colony.inject` for the overseer), in order,
   * from the first one (a resurrected attempt reads them again); waits for more until the signal aborts.
   */
  messages: AsyncIterable<Json>;
  logger: Logger;
}

/** A handler's way to report `partial`: some of the job done. */
export interface PartialResult {
  status: 'partial';
  summary?: string;
  output?: Json;
  usage?: Json;
}

/**
 * Runs one worker's job. A returned JSON value is a `success` report with it as `output`;
 * `{ status: 'partial', ... }` is a `partial` report; a thrown error is a crash (the worker is
 * resurrected up to `maxResurrections` times, then reports `failed` with the error's message and code).
 */
export type WorkerHandler = (job: WorkerJob, ctx: WorkerHandlerContext) => Promise<Json | PartialResult> | Json | PartialResult;
