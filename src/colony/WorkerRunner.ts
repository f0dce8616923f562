/**
 * @module WorkerRunner: runs colony workers' attempts with the effect layer's attempt protocol
 * (signal, attempt, progress, checkpoint, lastCheckpoint, logger) plus `ctx.messages`, and turns
 * each outcome into a journaled input. Attempts of a colony with no handler attached wait here.
 */
import type { Logger } from 'pino';
import type { ColonyContext } from '../../machines/colony.js';
import type { Json } from '../../machines/types.js';
import type { WorkerContext, WorkerRequest, WorkerSpec } from '../../machines/worker.js';
import { describeThrown, maxErrorMessage } from '../effects/describeThrown.js';
import { AttemptSupersededError, ValidationError } from '../errors.js';
import type { Input } from '../kernel/inputs.js';
import { checkJson, preview, storableText } from '../validate.js';
import type { WorkerHandler, WorkerHandlerContext, WorkerJob } from './workerTypes.js';
import { settleWithin } from '../effects/settleWithin.js';

type AttemptRequest = { colonyId: string; workerId: string; attempt: number };

export interface WorkerRunnerDeps {
  submit(input: Input): Promise<unknown>;
  worker(colonyId: string, workerId: string): { status: string; context: WorkerContext } | undefined;
  colony(colonyId: string): ColonyContext | undefined;
  handlerFor(spec: WorkerSpec): WorkerHandler | undefined;
  logger: Logger;
}

interface Running {
  attempt: number;
  controller: AbortController;
  done: Promise<void>;
  /** Wakes the attempt's message readers (a message was journaled, or the attempt ended). */
  wake(): void;
}

/** Longest `summary` a partial report keeps. */
export const maxSummary = 8192;

const keyOf = (r: { colonyId: string; workerId: string }) => `${r.colonyId}/${r.workerId}`;

export class WorkerRunner {
  private readonly running = new Map<string, Running>();
  /** Attempts whose colony has no handler yet, by colony id; they start once one is attached. */
  private readonly parked = new Map<string, AttemptRequest[]>();

  constructor(private readonly deps: WorkerRunnerDeps) {}

  /** Performs one request the kernel emitted for a worker. */
  handle(req: WorkerRequest): void {
    // Only these three fields travel into the outcome inputs built from the request.
    const attempt: AttemptRequest = { colonyId: req.colonyId, workerId: req.workerId, attempt: req.attempt };
    if (req.type === 'effect.worker.execute') this.execute(attempt);
    else if (req.type === 'effect.worker.abort') this.abort(attempt, req.reason);
    else this.running.get(keyOf(req))?.wake();
  }

  /** Starts attempts that waited for this colony's handler. */
  unpark(colonyId: string): void {
    const list = this.parked.get(colonyId);
    this.parked.delete(colonyId);
    for (const req of list ?? []) this.execute(req);
  }

  /** Workers of `colonyId` waiting for a handler. */
  parkedCount(colonyId: string): number {
    return this.parked.get(colonyId)?.length ?? 0;
  }

  /**
   * Aborts every running attempt and waits up to `timeoutMs` for the handlers to return; resolves
   * with how many were abandoned (their outcomes are dropped; they run again after a restart).
   * @example await runner.abortAll('the hive is closing', 5000)
   */
  async abortAll(reason: string, timeoutMs: number): Promise<number> {
    const all = [...this.running.values()];
    this.running.clear();
    for (const r of all) {
      r.controller.abort(new Error(reason));
      r.wake();
    }
    const pending = await settleWithin(
      all.map((r) => r.done),
      timeoutMs,
    );
    if (pending > 0)
      this.deps.logger.warn(
        { abandoned: pending, timeoutMs },
        'worker handlers still running after the close timeout were abandoned; they are resurrected on the next open',
      );
    return pending;
  }

  private execute(req: AttemptRequest): void {
    const w = this.deps.worker(req.colonyId, req.workerId);
    if (w?.status !== 'running' || w.context.attempt !== req.attempt) return;
    const spec = w.context.spec;
    const handler = this.deps.handlerFor(spec);
    if (!handler) {
      this.deps.logger.warn(
        { colony: req.colonyId, worker: req.workerId },
        'no handler attached for this colony yet; the worker waits until one is (hive.colony(id).attach(handler))',
      );
      const list = this.parked.get(req.colonyId) ?? [];
      list.push(req);
      this.parked.set(req.colonyId, list);
      return;
    }
    const controller = new AbortController();
    const alive = () => !controller.signal.aborted;
    const logger = this.deps.logger.child({ colony: req.colonyId, worker: req.workerId, attempt: req.attempt });
    let wakeReaders: Array<() => void> = [];
    const wake = () => {
      const readers = wakeReaders;
      wakeReaders = [];
      for (const r of readers) r();
    };
    const job: WorkerJob = { workerId: spec.id, colonyId: spec.colonyId, task: spec.task, input: spec.input };
    if (spec.inherit !== undefined) job.inherited = this.inherited(spec, logger);
    const ctx: WorkerHandlerContext = {
      signal: controller.signal,
      attempt: req.attempt,
      workerId: spec.id,
      colonyId: spec.colonyId,
      lastCheckpoint: w.context.checkpoint,
      logger,
      progress: async (pct, note) => {
        if (typeof pct !== 'number' || !Number.isFinite(pct) || pct < 0 || pct > 100)
          throw new ValidationError('progress', `pct must be a number from 0 to 100, got ${preview(pct)}`);
        if (note !== undefined && typeof note !== 'string') throw new ValidationError('progress', 'note must be a string');
        if (note !== undefined) checkJson('progress note', note);
        if (!alive()) return;
        await this.deps.submit({ type: 'worker.progress', ...req, pct: pct + 0, ...(note !== undefined ? { note } : {}) });
      },
      checkpoint: async (state) => {
        const copy = checkJson('checkpoint', state);
        if (!alive()) throw new AttemptSupersededError(keyOf(req), req.attempt);
        const stored = await this.deps.submit({ type: 'worker.checkpoint', ...req, state: copy });
        if (stored !== true) throw new AttemptSupersededError(keyOf(req), req.attempt);
      },
      messages: this.messages(req, controller.signal, (r) => wakeReaders.push(r)),
    };
    const done = Promise.resolve()
      .then(() => handler(job, ctx))
      .then(
        (value) => (alive() ? this.outcome(outcomeOf(req, value)) : undefined),
        (err: unknown) => (alive() ? this.outcome({ type: 'worker.failed', ...req, error: describeThrown(err) }) : undefined),
      )
      .catch((err: unknown) => this.deps.logger.error({ worker: keyOf(req), error: describeThrown(err) }, 'worker outcome could not be handled'))
      .finally(() => {
        if (this.running.get(keyOf(req))?.controller === controller) this.running.delete(keyOf(req));
        wake();
      });
    this.running.set(keyOf(req), { attempt: req.attempt, controller, done, wake });
  }

  private abort(req: AttemptRequest, reason: string): void {
    const r = this.running.get(keyOf(req));
    if (!r || r.attempt !== req.attempt) return;
    this.running.delete(keyOf(req));
    r.controller.abort(new Error(`attempt ${req.attempt} of worker ${keyOf(req)} aborted: ${reason}`));
    r.wake();
  }

  /** The worker's messages from the first, read from its journaled inbox; waits for more until the attempt ends. */
  private messages(req: AttemptRequest, signal: AbortSignal, onWake: (r: () => void) => void): AsyncIterable<Json> {
    const inbox = () => this.deps.worker(req.colonyId, req.workerId)?.context.inbox ?? [];
    return {
      [Symbol.asyncIterator]: () => {
        let next = 0;
        return {
          next: async (): Promise<IteratorResult<Json>> => {
            for (;;) {
              const messages = inbox();
              if (next < messages.length) return { value: messages[next++]!, done: false };
              if (signal.aborted) return { value: undefined, done: true };
              await new Promise<void>((resolve) => onWake(resolve));
            }
          },
          return: async (): Promise<IteratorResult<Json>> => ({ value: undefined, done: true }),
        };
      },
    };
  }

  /**
   * What a worker spawned with `inheritContext` inherits: the colony's shared context and the
   * overseer's first `spec.inherit` messages. A piece that no longer reads as JSON (a damaged
   * stored value) is skipped and logged; it never fails the worker.
   */
  private inherited(spec: WorkerSpec, logger: Logger): NonNullable<WorkerJob['inherited']> {
    const colony = this.deps.colony(spec.colonyId);
    const out: NonNullable<WorkerJob['inherited']> = { messages: [] };
    if (colony?.shared !== undefined) {
      try {
        out.context = checkJson('inherited context', colony.shared);
      } catch (err) {
        logger.warn({ reason: describeThrown(err).message }, 'the colony context is damaged; the worker starts without it');
      }
    }
    const overseer = colony?.overseerId === undefined ? undefined : this.deps.worker(spec.colonyId, colony.overseerId);
    const inbox = overseer?.context.inbox ?? [];
    for (let i = 0; i < Math.min(spec.inherit ?? 0, inbox.length); i++) {
      try {
        out.messages.push(checkJson(`inherited message ${i}`, inbox[i]));
      } catch (err) {
        logger.warn({ index: i, reason: describeThrown(err).message }, 'an inherited overseer message is damaged; skipped');
      }
    }
    return out;
  }

  private async outcome(input: Input): Promise<void> {
    try {
      await this.deps.submit(input);
    } catch (err) {
      // The hive closed or its store failed: the attempt has no outcome and is resurrected on reopen.
      this.deps.logger.warn({ err, input: input.type }, 'worker outcome not recorded');
    }
  }
}

/** A handler's return value as an outcome: `partial` for `{ status: 'partial' }`, else `success`; `bad_output` when it is not storable. */
function outcomeOf(req: AttemptRequest, value: unknown): Input {
  try {
    if (isPartial(value)) {
      const v = value as { summary?: unknown; output?: unknown; usage?: unknown };
      const summary = v.summary;
      if (summary !== undefined && typeof summary !== 'string') throw new ValidationError('summary', `must be a string; got ${preview(summary)}`);
      const output = v.output;
      const usage = v.usage;
      return {
        type: 'worker.partial',
        ...req,
        ...(summary !== undefined ? { summary: storableText(summary, maxSummary) } : {}),
        ...(output !== undefined ? { output: checkJson('output', output) } : {}),
        ...(usage !== undefined ? { usage: checkJson('usage', usage) } : {}),
      };
    }
    return { type: 'worker.succeeded', ...req, output: checkJson('output', value === undefined ? null : value) };
  } catch (err) {
    return { type: 'worker.failed', ...req, error: { code: 'bad_output', message: storableText(describeThrown(err).message, maxErrorMessage) } };
  }
}

function isPartial(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.hasOwn(value, 'status') &&
    (value as { status?: unknown }).status === 'partial'
  );
}
