/** @module createHive: the public entry point; a Hive is a thin facade over the kernel, admission and effects. */
import type { Handler } from './effects/types.js';
import { compileCloseOptions, type CloseOptions } from './closeOptions.js';
import { AccessDeniedError, AlreadyFinishedError, HiveClosedError, NotFoundError, ValidationError, WaitTimeoutError } from './errors.js';
import { Admission } from './hive/Admission.js';
import { assembleHive, type HiveParts } from './hive/assembleHive.js';
import { compileHiveOptions, type CompiledHiveOptions, type HiveOptions } from './hive/compileHiveOptions.js';
import type { InspectionRecord } from './kernel/InspectionRecord.js';
import type { HiveEvent } from './kernel/Kernel.js';
import type { AgentSpec, Bidder, TaskSpec } from './specs.js';
import { auditOf, type AuditRecord, type AuditType } from './hive/auditQuery.js';
import { agentStatsOf, routingDecisionsOf, type AgentStats, type RoutingDecision } from './hive/marketQueries.js';
import { checkBool, checkId, checkInt, checkKeys, checkName, checkTime } from './validate.js';
import type { AgentView, CountsByStatus, TaskView } from './views.js';
import { isTerminalTaskStatus, type AgentStatus, type TaskStatus } from '../machines/types.js';

export { defaultHiveOptions, type HiveOptions } from './hive/compileHiveOptions.js';

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
  | 'task.auction.opened'
  | 'task.auction.bid'
  | 'task.auction.awarded'
  | 'task.auction.unsold'
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
  const o = compileHiveOptions(options);
  return new Hive(o, await assembleHive(o));
}

export class Hive {
  private readonly kernel: HiveParts['kernel'];
  private readonly admission: Admission;
  private closing: Promise<void> | undefined;
  readonly logger: HiveParts['logger'];

  /** @internal use createHive() */
  constructor(
    private readonly o: CompiledHiveOptions,
    private readonly parts: HiveParts,
  ) {
    this.kernel = parts.kernel;
    this.logger = parts.logger;
    this.admission = new Admission(parts.kernel, o.assignment);
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
    const handlers = this.parts.agentHandlers;
    return this.admission.spawnAgent(spec, async (record, handler, bid) => {
      if (handler) handlers.set(record.id, handler);
      if (bid) this.parts.bidders.set(record.id, bid);
      try {
        await this.kernel.submit({ type: 'agent.spawn', agent: record });
      } catch (err) {
        handlers.delete(record.id);
        this.parts.bidders.delete(record.id);
        throw err;
      }
    });
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
    this.parts.agentHandlers.set(agentId, handler);
    this.parts.executor.unpark(agentId);
  }

  /**
   * Gives an existing agent its bid function again (functions are not stored: after a restart,
   * agents spawned with `bid` need it re-attached). Auctions that were waiting for its price ask it now.
   * @example hive.attachBidder('a1', (task) => 5)
   */
  attachBidder(agentId: string, bid: Bidder): void {
    this.assertOpen();
    this.requireAgent(agentId);
    if (typeof bid !== 'function') throw new ValidationError('bid', 'must be a function (task, stats) => a non-negative integer price or null');
    this.parts.bidders.set(agentId, bid);
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

  /**
   * Routing decisions, newest first: per closed auction round, its candidates (price, learned
   * success rate, score), the recommended agent, the winner, why, and whether they differ.
   * @example hive.routingDecisions({ taskId: 't1' })[0]?.differs
   */
  routingDecisions(options: { taskId?: string; limit?: number } = {}): RoutingDecision[] {
    this.assertOpen();
    return routingDecisionsOf(this.kernel, this.parts.store, options);
  }

  /**
   * What the learner knows about an agent: bids made and won, attempts succeeded and failed,
   * success rate, mean duration, overall and per task type.
   * @example hive.agentStats('a1').byType.build?.successRate
   */
  agentStats(agentId: string): AgentStats {
    this.assertOpen();
    this.requireAgent(agentId);
    return agentStatsOf(this.kernel, agentId);
  }

  /**
   * The audit trail: every coordination decision (assign, reassign, reject, escalate, retry,
   * cancel, auction award / unsold) with who decided, about what, why and the outcome; oldest first.
   * Kept in LMDB (written with each checkpoint) and pruned with finished tasks.
   * @example hive.audit({ target: 'task:t1' })
   */
  audit(options: { since?: number; type?: AuditType; target?: string; limit?: number } = {}): AuditRecord[] {
    this.assertOpen();
    return auditOf(this.kernel, this.parts.store, options);
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
  async postTasks(specs: TaskSpec[]): Promise<TaskView[]> {
    this.assertOpen();
    return this.admission.postTasks(specs);
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
    const s = this.parts.inspector;
    return s ? { url: s.url, token: s.token, port: s.port } : undefined;
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
    this.closing ??= this.parts.close(timeoutMs);
    return this.closing;
  }
}
