/** @module createHive: the public entry point; a Hive validates calls, journals them through the kernel and runs effects. */
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import { compileCloseOptions, type CloseOptions } from './closeOptions.js';
import { Executor } from './effects/Executor.js';
import type { Handler, Verifier } from './effects/types.js';
import { AccessDeniedError, AlreadyFinishedError, HiveClosedError, NotFoundError, ValidationError, WaitTimeoutError } from './errors.js';
import { Kernel, type HiveEvent } from './kernel/Kernel.js';
import { startInspector, type InspectorOptions, type InspectorServer } from './inspect/InspectorServer.js';
import { openReplay } from './replay/Replay.js';
import { openDataDir } from './replay/ReplaySource.js';
import type { InspectionRecord } from './kernel/InspectionRecord.js';
import { HiveStore, type StoreFaults } from './store/HiveStore.js';
import { agentRecord, readTaskSpecs, taskRecords, type AgentSpec, type TaskSpec } from './specs.js';
import { checkBool, checkId, checkInt, checkKeys, checkName, checkTime } from './validate.js';
import type { AgentView, CountsByStatus, TaskView } from './views.js';
import { isTerminalTaskStatus, type AgentStatus, type TaskStatus } from '../machines/types.js';

export interface HiveOptions {
  /** Where the LMDB store lives. @default './.hivestate' */
  dataDir?: string;
  /** A pino logger; hivestate logs through children of it. @default pino at 'warn' level */
  logger?: Logger;
  /** Handlers by task type, used when the assigned agent has no handler of its own. */
  handlers?: Record<string, Handler>;
  /** Verifiers by task type, for tasks posted with `verify: true`. */
  verifiers?: Record<string, Verifier>;
  /** Where time comes from. @default the system clock */
  clock?: Clock;
  /** When to write a checkpoint. @default { everyInputs: 1000, everyMs: 1000 } */
  checkpoint?: { everyInputs?: number; everyMs?: number };
  /** How long finished tasks are kept before `prune()` removes them. @default 24 h */
  retentionMs?: number;
  /** Test hook: inject store write failures. */
  faults?: StoreFaults;
  /** Start the inspector (web page, API, WebSockets) for this hive; its URL with the token is `hive.inspector.url`. */
  inspect?: { port?: number; host?: string; token?: string };
}

/** Options after defaults: nothing optional left for inner code to re-check. */
interface CompiledOptions {
  dataDir: string;
  logger: Logger;
  /** Maps, not objects: a task type such as 'constructor' must not find Object.prototype's members. */
  handlers: Map<string, Handler>;
  verifiers: Map<string, Verifier>;
  clock: Clock;
  checkpointEvery: number;
  checkpointMs: number;
  retentionMs: number;
  faults: StoreFaults;
  inspect: InspectorOptions | undefined;
}

export const defaultHiveOptions = {
  dataDir: './.hivestate',
  checkpointEvery: 1000,
  checkpointMs: 1000,
  retentionMs: 24 * 60 * 60 * 1000,
} as const;

const hiveOptionKeys = ['dataDir', 'logger', 'handlers', 'verifiers', 'clock', 'checkpoint', 'retentionMs', 'faults', 'inspect'] as const;

function compileHiveOptions(options: HiveOptions): CompiledOptions {
  checkKeys('createHive', options, hiveOptionKeys);
  const cp = options.checkpoint === undefined ? {} : checkKeys('checkpoint', options.checkpoint, ['everyInputs', 'everyMs']);
  for (const [name, map] of [['handlers', options.handlers], ['verifiers', options.verifiers]] as const) {
    if (map === undefined) continue;
    checkKeys(name, map, Object.keys(map));
    for (const [k, v] of Object.entries(map)) if (typeof v !== 'function') throw new ValidationError(`${name}.${k}`, 'must be a function');
  }
  return {
    dataDir: options.dataDir === undefined ? defaultHiveOptions.dataDir : checkName('dataDir', options.dataDir, 4096),
    logger: options.logger ?? pino({ level: 'warn' }),
    handlers: new Map(Object.entries(options.handlers ?? {})),
    verifiers: new Map(Object.entries(options.verifiers ?? {})),
    clock: options.clock ?? systemClock,
    checkpointEvery: cp.everyInputs === undefined ? defaultHiveOptions.checkpointEvery : checkInt('checkpoint.everyInputs', cp.everyInputs, 1, 10_000_000),
    checkpointMs: cp.everyMs === undefined ? defaultHiveOptions.checkpointMs : checkInt('checkpoint.everyMs', cp.everyMs, 10, 86_400_000),
    retentionMs: options.retentionMs === undefined ? defaultHiveOptions.retentionMs : checkInt('retentionMs', options.retentionMs, 0, 2 ** 42),
    faults: options.faults ?? {},
    inspect: compileInspectOptions(options.inspect),
  };
}

function compileInspectOptions(value: HiveOptions['inspect']): InspectorOptions | undefined {
  if (value === undefined) return undefined;
  const i = checkKeys('inspect', value, ['port', 'host', 'token']);
  return {
    ...(i.port === undefined ? {} : { port: checkInt('inspect.port', i.port, 0, 65535) }),
    ...(i.host === undefined ? {} : { host: checkName('inspect.host', i.host, 255) }),
    ...(i.token === undefined ? {} : { token: checkName('inspect.token', i.token, 200) }),
  };
}

export type HiveEventType =
  | 'agent.registered'
  | 'agent.failed'
  | 'agent.error'
  | 'agent.stopped'
  | 'agent.restarted'
  | 'task.posted'
  | 'task.assigned'
  | 'task.started'
  | 'task.progress'
  | 'task.retrying'
  | 'task.completed'
  | 'task.failed'
  | 'task.verified'
  | 'task.cancelled'
  | 'task.timed_out'
  | 'task.rejected'
  | '*';

export interface HiveStatus {
  agents: CountsByStatus<AgentStatus>;
  tasks: CountsByStatus<TaskStatus>;
  queued: number;
  timers: number;
  lastSeq: number;
  liveTasks: number;
}

/**
 * Opens (or recovers) a hive on a data directory.
 * @example
 * const hive = await createHive({ dataDir: './.hive', handlers: { echo: async (t) => t.input } })
 * await hive.spawnAgent({ name: 'a', capabilities: ['echo'] })
 * const t = await hive.postTask({ type: 'echo', input: 1 }); await hive.waitForTask(t.id)
 */
export async function createHive(options: HiveOptions = {}): Promise<Hive> {
  const hive = new Hive(compileHiveOptions(options));
  await hive.open();
  return hive;
}

export class Hive {
  private readonly store: HiveStore;
  private readonly kernel: Kernel;
  private readonly executor: Executor;
  private readonly agentHandlers = new Map<string, Handler>();
  private readonly reservedTasks = new Set<string>();
  private readonly reservedAgents = new Set<string>();
  private readonly pendingKeys = new Map<string, Promise<TaskView[]>>();
  private closing: Promise<void> | undefined;
  private inspectorServer: InspectorServer | undefined;
  readonly logger: Logger;

  /** @internal use createHive() */
  constructor(private readonly o: CompiledOptions) {
    this.logger = o.logger.child({ hive: o.dataDir });
    this.store = HiveStore.open(o.dataDir, { faults: o.faults });
    this.executor = new Executor({
      submit: (input) => this.kernel.submit(input),
      task: (id) => this.kernel.getTask(id),
      handlerFor: (agentId, type) => this.agentHandlers.get(agentId) ?? this.o.handlers.get(type),
      verifierFor: (type) => this.o.verifiers.get(type),
      logger: this.logger,
    });
    this.kernel = new Kernel({ store: this.store, clock: o.clock, logger: this.logger, effects: this.executor, checkpointEvery: o.checkpointEvery, checkpointMs: o.checkpointMs });
  }

  /** @internal */
  async open(): Promise<void> {
    try {
      const r = this.kernel.recover();
      if (r.replayed > 0 || r.restoredTasks > 0) this.logger.info(r, 'recovered');
      await Promise.all(this.kernel.resumeInFlight());
      if (this.o.inspect) {
        try {
          await this.startInspector(this.o.inspect);
        } catch (err) {
          // A failed inspector start (port taken) stops the recovered kernel before the store closes.
          await this.kernel.close().catch(() => undefined);
          throw err;
        }
      }
    } catch (err) {
      await this.store.close().catch(() => undefined);
      throw err;
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new HiveClosedError();
    this.kernel.assertOpen();
  }

  // ------------------------------------------------------------ agents

  /**
   * Registers an agent. Resolves once the registration is durable.
   * @example await hive.spawnAgent({ name: 'builder', capabilities: ['build'], maxConcurrent: 2, handler })
   */
  async spawnAgent(spec: AgentSpec): Promise<AgentView> {
    this.assertOpen();
    const { record, handler } = agentRecord(spec, {
      agentLevel: (id) => this.kernel.agentContext(id)?.level,
      agentExists: (id) => this.reservedAgents.has(id) || this.kernel.agentContext(id) !== undefined,
      taskExists: () => false,
    });
    this.reservedAgents.add(record.id);
    try {
      if (handler) this.agentHandlers.set(record.id, handler);
      await this.kernel.submit({ type: 'agent.spawn', agent: record });
    } catch (err) {
      this.agentHandlers.delete(record.id);
      throw err;
    } finally {
      this.reservedAgents.delete(record.id);
    }
    return this.kernel.getAgent(record.id)!;
  }

  /**
   * Gives an existing agent its in-process handler again (handlers are functions and are not
   * stored: after a restart, agents spawned with `handler` need it re-attached). Attempts that were
   * waiting for it start now.
   */
  attachHandler(agentId: string, handler: Handler): void {
    this.assertOpen();
    this.requireAgent(agentId);
    if (typeof handler !== 'function') throw new ValidationError('handler', 'must be a function (task, ctx) => output');
    this.agentHandlers.set(agentId, handler);
    this.executor.unpark(agentId);
  }

  async getAgent(id: string): Promise<AgentView> {
    return this.requireAgent(id);
  }

  async listAgents(filter: { status?: AgentStatus; capability?: string } = {}): Promise<AgentView[]> {
    const f = checkKeys('listAgents', filter, ['status', 'capability']);
    return this.kernel
      .listAgents()
      .filter((a) => (f.status === undefined || a.status === f.status) && (f.capability === undefined || a.capabilities.includes(f.capability as string)));
  }

  /** No new tasks go to a paused agent; its running attempts carry on. */
  pauseAgent(id: string): Promise<AgentView> {
    return this.agentCommand('agent.pause', id);
  }
  /** Makes a paused (or errored) agent available again. */
  resumeAgent(id: string): Promise<AgentView> {
    return this.agentCommand('agent.resume', id);
  }
  /** Stops an agent for good; its attempts are aborted and their tasks reassigned. */
  stopAgent(id: string): Promise<AgentView> {
    return this.agentCommand('agent.stop', id);
  }
  /** Records a sign of life from an agent spawned with `heartbeatMs`. */
  heartbeat(id: string): Promise<AgentView> {
    return this.agentCommand('agent.heartbeat', id);
  }

  private async agentCommand(type: 'agent.pause' | 'agent.resume' | 'agent.stop' | 'agent.heartbeat', id: string): Promise<AgentView> {
    this.assertOpen();
    const agent = this.requireAgent(id);
    if (agent.status === 'stopped') throw new AlreadyFinishedError(id, 'stopped');
    await this.kernel.submit({ type, agentId: id });
    return this.kernel.getAgent(id)!;
  }

  private requireAgent(id: string): AgentView {
    checkId('agentId', id);
    const view = this.kernel.getAgent(id);
    if (!view) throw new NotFoundError('agent', id);
    return view;
  }

  // ------------------------------------------------------------ tasks

  /**
   * Posts a task; resolves once it is durable. A known `idempotencyKey` returns the existing task.
   * @example await hive.postTask({ type: 'build', input: { target: 'ui' }, dependsOn: [fetch.id], timeoutMs: 30_000 })
   */
  async postTask(spec: TaskSpec): Promise<TaskView> {
    const [view] = await this.postTasks([spec]);
    return view!;
  }

  /**
   * Posts several tasks atomically (all or none), in one journal record. Tasks in the batch may
   * depend on each other; a cycle is refused.
   */
  async postTasks(taskSpecs: TaskSpec[]): Promise<TaskView[]> {
    this.assertOpen();
    // Read once into plain copies: a getter or Proxy cannot throw (or answer differently) below.
    const specs = readTaskSpecs(taskSpecs);
    const existing = new Map<number, Promise<TaskView[]> | TaskView>();
    const fresh: TaskSpec[] = [];
    specs.forEach((spec, i) => {
      const key = spec.idempotencyKey as unknown;
      if (typeof key === 'string') {
        const known = this.kernel.taskForIdempotencyKey(key);
        const view = known === undefined ? undefined : this.kernel.getTask(known);
        if (view) return void existing.set(i, view);
        const pending = this.pendingKeys.get(key);
        if (pending) return void existing.set(i, pending);
      }
      fresh.push(spec);
    });
    const { records, ordered } =
      fresh.length === 0
        ? { records: [], ordered: [] }
        : taskRecords(fresh, { taskExists: (id) => this.reservedTasks.has(id) || this.kernel.hasTask(id), agentExists: () => false, agentLevel: () => undefined });
    const keys = new Set<string>();
    for (const r of records) {
      if (r.idempotencyKey === undefined) continue;
      if (keys.has(r.idempotencyKey)) throw new ValidationError('idempotencyKey', `${JSON.stringify(r.idempotencyKey)} appears twice in one batch`);
      keys.add(r.idempotencyKey);
    }
    let created: Promise<TaskView[]> = Promise.resolve([]);
    if (records.length > 0) {
      for (const r of records) this.reservedTasks.add(r.id);
      created = this.kernel
        .submit({ type: 'task.post', tasks: ordered })
        .then(() => records.map((r) => this.kernel.getTask(r.id)!))
        .finally(() => {
          for (const r of records) this.reservedTasks.delete(r.id);
          for (const k of keys) this.pendingKeys.delete(k);
        });
      for (const k of keys) this.pendingKeys.set(k, created);
    }
    const views = await created;
    const out: TaskView[] = [];
    let fi = 0;
    for (let i = 0; i < specs.length; i++) {
      const e = existing.get(i);
      if (e === undefined) out.push(views[fi++]!);
      else if (e instanceof Promise) {
        const key = specs[i]!.idempotencyKey;
        out.push((await e).find((v) => v.idempotencyKey === key)!);
      } else out.push(e);
    }
    return out;
  }

  async getTask(id: string): Promise<TaskView> {
    checkId('taskId', id);
    const view = this.kernel.getTask(id);
    if (!view) throw new NotFoundError('task', id);
    return view;
  }

  /** Tasks newest first, filtered by status, type and owner, up to `limit` (default 100). */
  async listTasks(filter: { status?: TaskStatus; type?: string; owner?: string; limit?: number } = {}): Promise<TaskView[]> {
    const f = checkKeys('listTasks', filter, ['status', 'type', 'owner', 'limit']);
    if (f.status !== undefined) checkName('status', f.status);
    return this.kernel.listTasks({
      status: f.status as string | undefined,
      type: f.type === undefined ? undefined : checkName('type', f.type),
      owner: f.owner === undefined ? undefined : checkName('owner', f.owner),
      limit: f.limit === undefined ? 100 : checkInt('limit', f.limit, 1, 1_000_000),
    });
  }

  /**
   * Resolves with the task once it is terminal.
   * @example const done = await hive.waitForTask(id, { timeoutMs: 5000 })
   */
  async waitForTask(id: string, options: { timeoutMs?: number } = {}): Promise<TaskView> {
    const o = checkKeys('waitForTask', options, ['timeoutMs']);
    const timeoutMs = o.timeoutMs === undefined ? undefined : checkInt('timeoutMs', o.timeoutMs, 0, 2 ** 31 - 1);
    const now = await this.getTask(id);
    if (isTerminalTaskStatus(now.status)) return now;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const off = this.kernel.onSettled(id, (view) => {
        if (timer) clearTimeout(timer);
        resolve(view);
      });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          off();
          reject(new WaitTimeoutError(id, timeoutMs, this.kernel.getTask(id)?.status ?? 'unknown'));
        }, timeoutMs);
      }
    });
  }

  /** Cancels an unfinished task. When the task has an owner, only that owner (`by`) may cancel it. */
  async cancelTask(id: string, options: { by?: string } = {}): Promise<TaskView> {
    this.assertOpen();
    const o = checkKeys('cancelTask', options, ['by']);
    const by = o.by === undefined ? undefined : checkName('by', o.by);
    const view = await this.getTask(id);
    if (view.owner !== undefined && by !== view.owner) throw new AccessDeniedError(id, by);
    if (isTerminalTaskStatus(view.status)) throw new AlreadyFinishedError(id, view.status);
    await this.kernel.submit({ type: 'task.cancel', taskId: id, ...(by !== undefined ? { by } : {}) });
    const after = this.kernel.getTask(id)!;
    // An outcome journaled just before the cancel may have finished the task first.
    if (after.status !== 'cancelled') throw new AlreadyFinishedError(id, after.status);
    return after;
  }

  /**
   * Deletes finished tasks that finished before the retention window (or `before`, epoch ms), in a
   * checkpoint written at once. With `compactJournal: true` it also deletes journal records accepted
   * before that time (they are covered by the checkpoint), which keeps a long-running data directory
   * bounded but means replay cannot go back past that point. Resolves with how many tasks were deleted.
   * @example await hive.prune({ compactJournal: true })
   */
  async prune(options: { before?: number; compactJournal?: boolean } = {}): Promise<number> {
    this.assertOpen();
    const o = checkKeys('prune', options, ['before', 'compactJournal']);
    const before = o.before === undefined ? this.o.clock.now() - this.o.retentionMs : checkTime('before', o.before);
    const compactJournal = o.compactJournal === undefined ? false : checkBool('compactJournal', o.compactJournal);
    const n = (await this.kernel.submit({ type: 'hive.prune', before, ...(compactJournal ? { compactJournal } : {}) })) as number;
    await this.kernel.checkpoint();
    return n;
  }

  /** Writes a checkpoint now (normally done every N inputs or T ms). */
  checkpoint(): Promise<void> {
    this.assertOpen();
    return this.kernel.checkpoint();
  }

  // ------------------------------------------------------------ observing

  /**
   * Subscribes to lifecycle events ('*' for all); returns an unsubscribe function.
   * @example const off = hive.on('task.completed', (e) => console.log(e.taskId))
   */
  on(type: HiveEventType, fn: (e: HiveEvent) => void): () => void {
    if (typeof fn !== 'function') throw new ValidationError('on', 'needs a listener function');
    checkName('event type', type);
    return this.kernel.on(type, fn);
  }

  /**
   * Subscribes to the kernel's inspection stream: actors created/restored/passivated, inputs applied,
   * state transitions, messages between actors, effects dispatched, checkpoints written.
   * @example const off = hive.inspect((r) => r.kind === 'transition' && console.log(r.address, r.from, '->', r.to))
   */
  inspect(fn: (record: InspectionRecord) => void): () => void {
    if (typeof fn !== 'function') throw new ValidationError('inspect', 'needs a function');
    return this.kernel.inspect(fn);
  }

  /** The inspector started by the `inspect` option: its URL (with the access token) and token. */
  get inspector(): { url: string; token: string; port: number } | undefined {
    const s = this.inspectorServer;
    return s ? { url: s.url, token: s.token, port: s.port } : undefined;
  }

  private async startInspector(options: InspectorOptions): Promise<void> {
    const replay = await openReplay(openDataDir(this.o.dataDir));
    try {
      this.inspectorServer = await startInspector(
        {
          replay,
          live: {
            inspect: (fn) => this.kernel.inspect(fn),
            contextOf: (address) => (this.kernel.actorSnapshot(address)?.snapshot as { context?: unknown } | undefined)?.context,
          },
        },
        options,
      );
    } catch (err) {
      await replay.close();
      throw err;
    }
    const close = this.inspectorServer.close.bind(this.inspectorServer);
    this.inspectorServer.close = () => close().finally(() => replay.close());
    this.logger.info({ url: this.inspectorServer.url }, 'inspector listening');
  }

  /** Counts of agents and tasks by status, the queue length and the journal position. */
  async status(): Promise<HiveStatus> {
    const s = this.kernel.status();
    const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    return { ...s, agents: { total: total(s.agents), ...s.agents }, tasks: { total: total(s.tasks), ...s.tasks } };
  }

  /**
   * Aborts running attempts and waits up to `timeoutMs` (default 5000) for their handlers to return,
   * flushes a checkpoint, closes the store and releases the lock. Handlers still running then are
   * abandoned: their outcomes are dropped and their tasks run again on the next open.
   * @example await hive.close({ timeoutMs: 10_000 })
   */
  async close(options: CloseOptions = {}): Promise<void> {
    const { timeoutMs } = compileCloseOptions(options);
    this.closing ??= (async () => {
      await this.inspectorServer?.close();
      await this.executor.abortAll('the hive is closing', timeoutMs);
      await this.kernel.close();
      await this.store.close();
    })();
    return this.closing;
  }
}
