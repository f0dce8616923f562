/**
 * @module Colony: the handle on one colony (`hive.spawnColony`, `hive.colony(id)`, also after a
 * restart). Every method journals its command before it resolves; handlers are the only part not
 * stored, so after a restart `attach` gives the colony its handler again.
 */
import type { Json } from '../../machines/types.js';
import type { WorkerReport } from '../../machines/worker.js';
import type { Colonies } from './Colonies.js';
import type { SpawnOptions, TriggerDefinition } from './colonySpecs.js';
import type { ColonyView } from './colonyViews.js';
import type { WorkerHandler } from './workerTypes.js';

export class Colony {
  /** @internal use hive.spawnColony() or hive.colony(id) */
  constructor(
    private readonly colonies: Colonies,
    readonly id: string,
  ) {}

  /**
   * Spawns `count` workers (default 1) on `task`; resolves with their ids once journaled. Beyond
   * `maxConcurrentWorkers` they queue in spawn order.
   * @example const ids = await colony.spawn('lint a module', { count: 3, input: { dir: 'src' } })
   */
  spawn(task: string, options?: SpawnOptions): Promise<string[]> {
    return this.colonies.spawn(this.id, task, options);
  }

  /**
   * One worker per spec, in order.
   * @example await colony.spawnBatch([{ task: 'test', input: 'a' }, { task: 'test', input: 'b' }])
   */
  spawnBatch(specs: Array<{ task: string; input?: Json }>, options?: { inheritContext?: boolean; notify?: boolean }): Promise<string[]> {
    return this.colonies.spawnBatch(this.id, specs, options);
  }

  /**
   * Fan-in: one report per id, same order. At `timeoutMs` the unfinished workers are stopped and
   * reported `timeout`; unknown (or pruned) ids report `failed` with `no_such_worker`.
   * @example const reports = await colony.waitForReports(ids, { timeoutMs: 30_000 })
   */
  waitForReports(ids: string[], options?: { timeoutMs?: number }): Promise<WorkerReport[]> {
    return this.colonies.waitForReports(this.id, ids, options);
  }

  /** Stops one worker (its signal aborts); resolves with its `stopped` report. */
  stopWorker(workerId: string): Promise<WorkerReport> {
    return this.colonies.stopWorker(this.id, workerId);
  }

  /** Stops every unfinished worker but the overseer; resolves with how many. */
  stopAll(): Promise<number> {
    return this.colonies.stopAll(this.id);
  }

  /** Sends a message to a worker (its `ctx.messages`), durably. */
  send(workerId: string, message: Json): Promise<void> {
    return this.colonies.send(this.id, workerId, message);
  }

  /**
   * Starts the overseer: one persistent worker that takes no slot and receives `inject`ed messages.
   * Idempotent: a second call returns the same id.
   * @example const overseerId = await colony.startOverseer({ handler: async (job, ctx) => { for await (const m of ctx.messages) log(m) } })
   */
  startOverseer(options?: { handler?: WorkerHandler }): Promise<string> {
    return this.colonies.startOverseer(this.id, options);
  }

  /** Delivers a message to the overseer, in order, durably. */
  inject(message: Json): Promise<void> {
    return this.colonies.inject(this.id, message);
  }

  /** Sets the shared context that workers spawned with `inheritContext: true` receive. */
  setContext(context: Json): Promise<void> {
    return this.colonies.setContext(this.id, context);
  }

  /**
   * Adds a trigger: a durable timer, a webhook (`POST /hooks/<path>` on the hive's HTTP listener)
   * or an API trigger (`colony.trigger`).
   * @example await colony.addTrigger({ id: 'tick', kind: 'timer', everyMs: 60_000, task: 'sweep', skipWhileBusy: true })
   */
  addTrigger(trigger: TriggerDefinition): Promise<void> {
    return this.colonies.addTrigger(this.id, trigger);
  }

  removeTrigger(triggerId: string): Promise<void> {
    return this.colonies.removeTrigger(this.id, triggerId);
  }

  /** Timer triggers stop firing until `resumeTimers` (slots missed meanwhile are skipped). */
  pauseTimers(): Promise<void> {
    return this.colonies.setTimersPaused(this.id, true);
  }

  resumeTimers(): Promise<void> {
    return this.colonies.setTimersPaused(this.id, false);
  }

  /**
   * Fires a trigger now; resolves with the new worker's id (or, for an idempotency key seen
   * within its TTL, the first worker's).
   * @example const id = await colony.trigger('deploy', { ref: 'main' }, { idempotencyKey: 'push-123' })
   */
  trigger(triggerId: string, input?: Json, options?: { idempotencyKey?: string }): Promise<string> {
    return this.colonies.trigger(this.id, triggerId, input, options);
  }

  /** Fires a trigger and waits for the worker's report. */
  triggerAndWait(triggerId: string, input?: Json, options?: { timeoutMs?: number; idempotencyKey?: string }): Promise<WorkerReport> {
    return this.colonies.triggerAndWait(this.id, triggerId, input, options);
  }

  /** Gives the colony its handler (after a restart); its waiting workers start. */
  attach(handler: WorkerHandler): this {
    this.colonies.attach(this.id, handler);
    return this;
  }

  async status(): Promise<ColonyView> {
    return this.colonies.view(this.id);
  }

  /** Stops the colony: its workers, timers and overseer. Idempotent. */
  stop(): Promise<ColonyView> {
    return this.colonies.stop(this.id);
  }
}
