/**
 * @module Colonies: the host side of a hive's colonies. It validates colony commands, journals
 * them through the kernel, keeps the handlers (code, attached again after a restart), runs workers
 * (WorkerRunner), answers `waitForReports`, and serves webhook triggers.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { workerKey } from '../../machines/address.js';
import type { ColonyContext, SpawnRequest } from '../../machines/colony.js';
import type { Json } from '../../machines/types.js';
import { isFinishedWorkerStatus, type WorkerContext, type WorkerReport, type WorkerSpec } from '../../machines/worker.js';
import { AlreadyFinishedError, ColonyStoppedError, DuplicateIdError, NotFoundError, ValidationError } from '../errors.js';
import type { SpawnResult } from '../kernel/ColonyInput.js';
import type { Kernel } from '../kernel/Kernel.js';
import { checkInt, checkJson, checkKeys, checkName, checkStringArray } from '../validate.js';
import { answerWebhook, findWebhook, type WebhookAnswer } from './answerWebhook.js';
import { awaitReports } from './awaitReports.js';
import { Colony } from './Colony.js';
import {
  checkColonyId,
  colonyRecord,
  spawnBatchRecord,
  spawnRecord,
  triggerRecord,
  type ColonySpec,
  type SpawnOptions,
  type TriggerDefinition,
} from './colonySpecs.js';
import { noSuchWorker, reportOf, toColonyView, type ColonyView } from './colonyViews.js';
import { WorkerRunner } from './WorkerRunner.js';
import type { WorkerHandler } from './workerTypes.js';

export interface ColoniesOptions {
  /** The kernel, once built (the runner is one of its effect runners, so it exists first). */
  kernel: () => Kernel;
  logger: Logger;
  /** Idempotency keys of trigger invocations: how long one holds, and how many are kept. */
  idempotency: { ttlMs: number; max: number };
  /** Handlers given up front (`createHive({ colonies })`), by colony id. */
  handlers: ReadonlyMap<string, WorkerHandler>;
}

export type { WebhookAnswer } from './answerWebhook.js';

const maxWaitIds = 100_000;

export class Colonies {
  readonly runner: WorkerRunner;
  private readonly handlers: Map<string, WorkerHandler>;
  private readonly overseerHandlers = new Map<string, WorkerHandler>();
  private readonly reserved = new Set<string>();
  private readonly overseerStarts = new Map<string, Promise<string>>();

  constructor(private readonly o: ColoniesOptions) {
    this.handlers = new Map(o.handlers);
    this.runner = new WorkerRunner({
      submit: (input) => this.kernel.submit(input),
      worker: (colonyId, workerId) => this.worker(colonyId, workerId),
      colony: (colonyId) => this.kernel.actorState('colony', colonyId)?.context as ColonyContext | undefined,
      handlerFor: (spec) => this.handlerFor(spec),
      logger: o.logger,
    });
  }

  private get kernel(): Kernel {
    return this.o.kernel();
  }

  private assertOpen(): void {
    this.kernel.assertOpen();
  }

  private handlerFor(spec: WorkerSpec): WorkerHandler | undefined {
    return spec.overseer === 'own' ? this.overseerHandlers.get(spec.colonyId) : this.handlers.get(spec.colonyId);
  }

  // ------------------------------------------------------------ colonies

  /**
   * Creates a colony; resolves once it is durable.
   * @example const c = await colonies.spawnColony({ name: 'tests', handler: async (job) => job.input })
   */
  async spawnColony(spec: ColonySpec): Promise<Colony> {
    this.assertOpen();
    const { record, handler } = colonyRecord(spec, () => `colony-${randomUUID()}`);
    if (this.reserved.has(record.id) || this.kernel.actorState('colony', record.id)) throw new DuplicateIdError('colony', record.id);
    this.reserved.add(record.id);
    const before = this.handlers.get(record.id);
    this.handlers.set(record.id, handler);
    try {
      await this.kernel.submit({ type: 'colony.spawn', colony: record });
    } catch (err) {
      if (before) this.handlers.set(record.id, before);
      else this.handlers.delete(record.id);
      throw err;
    } finally {
      this.reserved.delete(record.id);
    }
    return new Colony(this, record.id);
  }

  /** A handle on an existing colony (also one created before a restart). */
  colony(id: string): Colony {
    this.requireColony(checkColonyId('colonyId', id));
    return new Colony(this, id);
  }

  /** Every colony, oldest first. */
  list(): ColonyView[] {
    return [...this.kernel.actorIds('colony')].map((id) => this.view(id)).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  view(colonyId: string): ColonyView {
    const { status, context } = this.requireColony(colonyId);
    const overseer = context.overseerId === undefined ? undefined : this.worker(colonyId, context.overseerId);
    return toColonyView(status, context, this.kernel.colonyIndex(colonyId), overseer?.status === 'running', (id) => this.kernel.timerDue(id));
  }

  /** Gives the colony its handler again (after a restart); workers waiting for it start now. */
  attach(colonyId: string, handler: WorkerHandler): void {
    this.requireColony(colonyId);
    if (typeof handler !== 'function') throw new ValidationError('handler', 'must be a function (job, ctx) => result');
    this.handlers.set(colonyId, handler);
    this.runner.unpark(colonyId);
  }

  async stop(colonyId: string): Promise<ColonyView> {
    this.assertOpen();
    if (this.requireColony(colonyId).status === 'running') await this.kernel.submit({ type: 'colony.stop', colonyId });
    return this.view(colonyId);
  }

  async setContext(colonyId: string, context: Json): Promise<void> {
    this.assertOpen();
    this.requireRunning(colonyId, 'take a new context');
    await this.kernel.submit({ type: 'colony.context', colonyId, context: checkJson('context', context) });
  }

  // ------------------------------------------------------------ workers

  async spawn(colonyId: string, task: string, options: SpawnOptions | undefined): Promise<string[]> {
    this.assertOpen();
    this.requireRunning(colonyId, 'spawn workers');
    const r = spawnRecord(task, options);
    return this.spawnWorkers(colonyId, r.workers, r);
  }

  async spawnBatch(
    colonyId: string,
    specs: Array<{ task: string; input?: Json }>,
    options: { inheritContext?: boolean; notify?: boolean } | undefined,
  ): Promise<string[]> {
    this.assertOpen();
    this.requireRunning(colonyId, 'spawn workers');
    const r = spawnBatchRecord(specs, options);
    return this.spawnWorkers(colonyId, r.workers, r);
  }

  private async spawnWorkers(colonyId: string, workers: SpawnRequest[], o: { inherit: boolean; notify: boolean }): Promise<string[]> {
    const result = (await this.kernel.submit({
      type: 'worker.spawn',
      colonyId,
      workers,
      ...(o.inherit ? { inherit: true } : {}),
      ...(o.notify ? { notify: true } : {}),
    })) as SpawnResult;
    return this.idsOf(colonyId, result, 'spawn workers');
  }

  /**
   * One report per id, in the order given: finished workers from their stored report, unknown or
   * pruned ids as `failed` with `no_such_worker`. At `timeoutMs` the workers still unfinished are
   * stopped (their signal aborts) and reported `timeout`.
   * @example const reports = await colonies.waitForReports('c1', ids, { timeoutMs: 60_000 })
   */
  async waitForReports(colonyId: string, ids: string[], options: { timeoutMs?: number } = {}): Promise<WorkerReport[]> {
    this.requireColony(colonyId);
    const list = checkStringArray('workerIds', ids, { nonEmpty: false, item: (f, v) => checkName(f, v) });
    if (list.length > maxWaitIds) throw new ValidationError('workerIds', `may list at most ${maxWaitIds} ids; got ${list.length}`);
    const o = checkKeys('waitForReports', options, ['timeoutMs']);
    const timeoutMs = o.timeoutMs === undefined ? undefined : checkInt('timeoutMs', o.timeoutMs, 0, 2 ** 31 - 1);
    const reports = new Map<string, WorkerReport>();
    const pending = new Set<string>();
    for (const id of list) {
      const w = this.worker(colonyId, id);
      const report = w && reportOf(w.status, w.context);
      if (!w) reports.set(id, noSuchWorker(colonyId, id));
      else if (report) reports.set(id, report);
      else pending.add(id);
    }
    if (pending.size > 0) await awaitReports(this.kernel, colonyId, pending, reports, timeoutMs);
    return list.map((id) => reports.get(id) ?? this.currentReport(colonyId, id));
  }

  /** A worker's report now, or `no_such_worker` (pruned meanwhile). */
  private currentReport(colonyId: string, workerId: string): WorkerReport {
    const w = this.worker(colonyId, workerId);
    return (w && reportOf(w.status, w.context)) ?? noSuchWorker(colonyId, workerId);
  }

  async stopWorker(colonyId: string, workerId: string): Promise<WorkerReport> {
    this.assertOpen();
    this.requireUnfinished(colonyId, workerId, 'stopped');
    await this.kernel.submit({ type: 'worker.stop', colonyId, workerIds: [workerId], reason: 'stopped' });
    return this.currentReport(colonyId, workerId);
  }

  /** Stops every unfinished worker except the overseer; resolves with how many were stopped. */
  async stopAll(colonyId: string): Promise<number> {
    this.assertOpen();
    const { context } = this.requireColony(colonyId);
    const ids = this.kernel
      .colonyIndex(colonyId)
      .unfinishedInOrder()
      .filter((id) => id !== context.overseerId);
    if (ids.length > 0) await this.kernel.submit({ type: 'worker.stop', colonyId, workerIds: ids, reason: 'stopped' });
    return ids.length;
  }

  async send(colonyId: string, workerId: string, message: Json): Promise<void> {
    this.assertOpen();
    this.requireUnfinished(colonyId, workerId, 'sent messages');
    await this.kernel.submit({ type: 'worker.message', colonyId, workerId, message: checkJson('message', message) });
  }

  /** Starts the colony's overseer once; a later call returns the same id (and attaches `handler` if given). */
  async startOverseer(colonyId: string, options: { handler?: WorkerHandler } = {}): Promise<string> {
    this.assertOpen();
    const o = checkKeys('startOverseer', options, ['handler']);
    if (o.handler !== undefined && typeof o.handler !== 'function') throw new ValidationError('handler', 'must be a function (job, ctx) => result');
    const handler = o.handler as WorkerHandler | undefined;
    const { context, status } = this.requireColony(colonyId);
    if (handler) this.overseerHandlers.set(colonyId, handler);
    if (context.overseerId !== undefined) {
      if (handler) this.runner.unpark(colonyId);
      return context.overseerId;
    }
    if (status !== 'running') throw new ColonyStoppedError(colonyId, 'start an overseer');
    let starting = this.overseerStarts.get(colonyId);
    if (!starting) {
      starting = this.kernel
        .submit({ type: 'worker.spawn', colonyId, workers: [{ task: 'overseer', input: null }], overseer: handler ? 'own' : 'shared' })
        .then((result) => {
          const ids = this.idsOf(colonyId, result as SpawnResult, 'start an overseer');
          return ids[0] ?? (this.requireColony(colonyId).context.overseerId as string);
        })
        .finally(() => this.overseerStarts.delete(colonyId));
      this.overseerStarts.set(colonyId, starting);
    }
    return starting;
  }

  /** Delivers a message to the overseer, in order, durably. */
  async inject(colonyId: string, message: Json): Promise<void> {
    this.assertOpen();
    const overseerId = this.requireColony(colonyId).context.overseerId;
    if (overseerId === undefined)
      throw new NotFoundError('worker', 'overseer', ` in colony ${JSON.stringify(colonyId)} (start it with colony.startOverseer() first)`);
    await this.kernel.submit({ type: 'worker.message', colonyId, workerId: overseerId, message: checkJson('message', message) });
  }

  // ------------------------------------------------------------ triggers

  async addTrigger(colonyId: string, def: TriggerDefinition): Promise<void> {
    this.assertOpen();
    const { context } = this.requireRunning(colonyId, 'take triggers');
    const trigger = triggerRecord(def);
    if (Object.hasOwn(context.triggers, trigger.id)) throw new DuplicateIdError('trigger', trigger.id);
    if (trigger.kind === 'webhook') {
      const taken = findWebhook(this.kernel, trigger.path);
      if (taken)
        throw new ValidationError(
          'path',
          `${JSON.stringify(trigger.path)} is already served by trigger ${JSON.stringify(taken.triggerId)} of colony ${JSON.stringify(taken.colonyId)}; webhook paths are unique per hive`,
        );
    }
    await this.kernel.submit({ type: 'colony.trigger.add', colonyId, trigger });
  }

  async removeTrigger(colonyId: string, triggerId: string): Promise<void> {
    this.assertOpen();
    this.requireTrigger(colonyId, triggerId);
    await this.kernel.submit({ type: 'colony.trigger.remove', colonyId, triggerId });
  }

  async setTimersPaused(colonyId: string, paused: boolean): Promise<void> {
    this.assertOpen();
    this.requireColony(colonyId);
    await this.kernel.submit({ type: 'colony.timers', colonyId, paused });
  }

  /**
   * Spawns one worker for a trigger with `input`; with an idempotency key seen within the TTL,
   * returns the first worker's id and spawns nothing.
   * @example const id = await colonies.trigger('c1', 'manual', { ref: 'main' }, { idempotencyKey: 'push-123' })
   */
  async trigger(colonyId: string, triggerId: string, input: Json | undefined, options: { idempotencyKey?: string } = {}): Promise<string> {
    this.assertOpen();
    const o = checkKeys('trigger', options, ['idempotencyKey']);
    this.requireTrigger(colonyId, triggerId);
    this.requireRunning(colonyId, 'fire triggers');
    const key = o.idempotencyKey === undefined ? undefined : checkName('idempotencyKey', o.idempotencyKey);
    return this.invoke(colonyId, triggerId, input === undefined ? null : checkJson('input', input), key);
  }

  async triggerAndWait(
    colonyId: string,
    triggerId: string,
    input: Json | undefined,
    options: { timeoutMs?: number; idempotencyKey?: string } = {},
  ): Promise<WorkerReport> {
    const o = checkKeys('triggerAndWait', options, ['timeoutMs', 'idempotencyKey']);
    const workerId = await this.trigger(colonyId, triggerId, input, o.idempotencyKey === undefined ? {} : { idempotencyKey: o.idempotencyKey as string });
    const [report] = await this.waitForReports(colonyId, [workerId], o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs as number });
    return report!;
  }

  private async invoke(colonyId: string, triggerId: string, input: Json, key: string | undefined): Promise<string> {
    const { ttlMs, max } = this.o.idempotency;
    const result = (await this.kernel.submit({
      type: 'trigger.invoke',
      colonyId,
      triggerId,
      input,
      ...(key !== undefined ? { idempotency: { key, ttlMs, max } } : {}),
    })) as SpawnResult;
    return this.idsOf(colonyId, result, 'fire triggers')[0]!;
  }

  /**
   * Answers `POST /hooks/<path>`: 202 `{ workerId }` when the body's HMAC signature is right (see answerWebhook).
   * @example await colonies.handleWebhook('github', body, req.headers['x-hivestate-signature'], undefined)
   */
  handleWebhook(path: string, body: Buffer, signature: string | undefined, idempotencyKey: string | undefined): Promise<WebhookAnswer> {
    return answerWebhook(findWebhook(this.kernel, path), path, body, signature, idempotencyKey, (t, input, key) =>
      this.invoke(t.colonyId, t.triggerId, input, key),
    );
  }

  // ------------------------------------------------------------ lookups

  private worker(colonyId: string, workerId: string): { status: string; context: WorkerContext } | undefined {
    return this.kernel.actorState('worker', workerKey(colonyId, workerId)) as { status: string; context: WorkerContext } | undefined;
  }

  private requireColony(colonyId: string): { status: string; context: ColonyContext } {
    const s = this.kernel.actorState('colony', colonyId);
    if (!s) throw new NotFoundError('colony', colonyId);
    return s as { status: string; context: ColonyContext };
  }

  private requireRunning(colonyId: string, action: string): { status: string; context: ColonyContext } {
    const s = this.requireColony(colonyId);
    if (s.status !== 'running') throw new ColonyStoppedError(colonyId, action);
    return s;
  }

  private requireTrigger(colonyId: string, triggerId: string): void {
    checkName('triggerId', triggerId);
    if (!Object.hasOwn(this.requireColony(colonyId).context.triggers, triggerId))
      throw new NotFoundError('trigger', triggerId, ` in colony ${JSON.stringify(colonyId)}`);
  }

  private requireUnfinished(colonyId: string, workerId: string, action: string): void {
    this.requireColony(colonyId);
    checkName('workerId', workerId);
    const w = this.worker(colonyId, workerId);
    if (!w) throw new NotFoundError('worker', workerId, ` in colony ${JSON.stringify(colonyId)}`);
    if (isFinishedWorkerStatus(w.status)) throw new AlreadyFinishedError(workerId, w.status, { kind: 'worker', action });
  }

  /** The worker ids a spawning input answered, or the typed error for why it spawned none. */
  private idsOf(colonyId: string, result: SpawnResult, action: string): string[] {
    if ('workerIds' in result) return result.workerIds;
    if (result.refused === 'colony_stopped') throw new ColonyStoppedError(colonyId, action);
    if (result.refused === 'no_such_colony') throw new NotFoundError('colony', colonyId);
    throw new NotFoundError('trigger', '(removed)', ` in colony ${JSON.stringify(colonyId)}`);
  }
}
