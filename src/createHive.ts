/** @module createHive: the public entry point; a Hive is a thin facade over the kernel, admission and effects. */
import type { Json } from '../machines/types.js';
import type { TaskStatus } from '../machines/types.js';
import type { Colony } from './colony/Colony.js';
import type { ColonySpec } from './colony/colonySpecs.js';
import type { ColonyView } from './colony/colonyViews.js';
import { compileCloseOptions, type CloseOptions } from './closeOptions.js';
import type { Handler } from './effects/types.js';
import { AlreadyFinishedError, HiveClosedError, NotFoundError, ValidationError } from './errors.js';
import { Admission } from './hive/Admission.js';
import { type AgentFilter, listAgents, requireAgent } from './hive/agentQueries.js';
import { assembleHive, type HiveParts } from './hive/assembleHive.js';
import { compileHiveOptions, type CompiledHiveOptions, type HiveOptions } from './hive/compileHiveOptions.js';
import type { HiveEventType, HiveStatus } from './hive/hiveTypes.js';
import { openControl } from './hive/openControl.js';
import { retryTask } from './hive/retryTask.js';
import { sessionReport, type SessionReport } from './hive/sessionReport.js';
import { listSchedules, scheduleCommand, scheduleView, setSchedule } from './hive/scheduleCommands.js';
import { signalTask } from './hive/signalTask.js';
import { type AgentHost, attachBidder, attachHandler, spawnAgent } from './hive/spawnAgent.js';
import { cancelTask, prune } from './hive/taskCommands.js';
import { waitForTask } from './hive/waitForTask.js';
import { withParent } from './hive/withParent.js';
import { type BroadcastOptions, broadcastMessage, channelCommand, listMessages, sendMessage, type SendSpec } from './hive/messageCommands.js';
import { takeOnMessage } from './hive/MessageRunner.js';
import type { MessageView } from './hive/messageViews.js';
import type { InspectionRecord } from './kernel/InspectionRecord.js';
import type { HiveEvent } from './kernel/Kernel.js';
import type { ScheduleOptions } from './schedule/scheduleRecord.js';
import type { ScheduleView } from './schedule/scheduleView.js';
import type { AgentSpec, Bidder, TaskSpec } from './specs.js';
import { auditOf, type AuditRecord, type AuditType } from './hive/auditQuery.js';
import { agentStatsOf, routingDecisionsOf, type AgentStats, type RoutingDecision } from './hive/marketQueries.js';
import { insightsOf, type Insights } from './hive/insightsQuery.js';
import { checkId, checkInt, checkKeys, checkName } from './validate.js';
import type { AgentView, TaskView } from './views.js';

export { defaultHiveOptions, type HiveOptions } from './hive/compileHiveOptions.js';

export type { HiveEventType, HiveStatus } from './hive/hiveTypes.js';

/**
 * Opens (or recovers) a hive on a data directory.
 * @example
 * const hive = await createHive({ dataDir: './.hive', handlers: { echo: async (t) => t.input } })
 * await hive.spawnAgent({ name: 'a', capabilities: ['echo'] })
 * const t = await hive.postTask({ type: 'echo', input: 1 }); await hive.waitForTask(t.id)
 */
export async function createHive(options: HiveOptions = {}): Promise<Hive> {
  const o = compileHiveOptions(options);
  const parts = await assembleHive(o);
  const hive = new Hive(o, parts);
  if (o.control) await openControl(hive, parts, o.dataDir);
  return hive;
}

export class Hive {
  private readonly kernel: HiveParts['kernel'];
  private readonly host: AgentHost;
  private closing: Promise<void> | undefined;
  /** Open `waitForTask` calls, ended with HiveClosedError by close(). */
  private readonly waits = new Set<() => void>();
  readonly logger: HiveParts['logger'];

  /** @internal use createHive() */
  constructor(
    private readonly o: CompiledHiveOptions,
    private readonly parts: HiveParts,
  ) {
    this.kernel = parts.kernel;
    this.logger = parts.logger;
    this.host = { o, parts, admission: new Admission(parts.kernel, o.assignment) };
    // Async, so a refused spec is a rejected promise for the handler, never a synchronous throw.
    parts.subWork.spawnSubAgent = async (parentId, spec) => this.spawnAgent(withParent('spawnAgent', spec, 'parentId', parentId));
    parts.subWork.postSubTask = async (parentTaskId, spec) => this.postTask(withParent('postTask', spec, 'parentTaskId', parentTaskId));
  }

  /** Writes need an open hive whose store works. */
  private assertOpen(): void {
    this.assertNotClosed();
    this.kernel.assertOpen();
  }

  /** Reads work after a store failure (memory is never ahead of the journal) but not after close(). */
  private assertNotClosed(): void {
    if (this.closing) throw new HiveClosedError();
  }

  // ------------------------------------------------------------ agents

  /**
   * Registers an agent. Resolves once the registration is durable. Restart-safe: when an agent with
   * this `id` exists with the same spec, it is returned as it is and the `handler` given (if any)
   * is attached; a different spec throws DuplicateIdError naming the fields that differ.
   * @example await hive.spawnAgent({ id: 'builder', name: 'Builder', capabilities: ['build'], maxConcurrent: 2, handler })
   */
  async spawnAgent(agentSpec: AgentSpec): Promise<AgentView> {
    this.assertOpen();
    const { spec, onMessage } = takeOnMessage(agentSpec);
    const view = await spawnAgent(this.host, spec);
    if (onMessage) this.parts.messages.attach(view.id, onMessage);
    return view;
  }

  /**
   * Gives an existing agent its in-process handler again (handlers are functions and are not
   * stored: after a restart, an agent spawned with `handler` is `detached` and gets no work until
   * its handler is attached). Resolves once the attachment is journaled; work flows to it from then.
   * @example await hive.attachHandler('builder', buildHandler)
   */
  async attachHandler(agentId: string, handler: Handler): Promise<AgentView> {
    this.assertOpen();
    return attachHandler(this.host, agentId, handler);
  }

  /**
   * Gives an existing agent its bid function again (functions are not stored: after a restart,
   * agents spawned with `bid` need it re-attached). Auctions that were waiting for its price ask it now.
   * @example hive.attachBidder('a1', (task) => 5)
   */
  attachBidder(agentId: string, bid: Bidder): void {
    this.assertOpen();
    attachBidder(this.host, agentId, bid);
  }

  async getAgent(id: string): Promise<AgentView> {
    this.assertNotClosed();
    return requireAgent(this.kernel, id);
  }

  /**
   * Agents newest first, filtered by status, capability and owner, up to `limit`.
   * @example await hive.listAgents({ owner: 'alice', status: 'busy', limit: 20 })
   */
  async listAgents(filter: AgentFilter = {}): Promise<AgentView[]> {
    this.assertNotClosed();
    return listAgents(this.kernel, filter);
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
    const agent = requireAgent(this.kernel, id);
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
    requireAgent(this.kernel, agentId);
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
    return this.host.admission.postTasks(specs);
  }

  async getTask(id: string): Promise<TaskView> {
    this.assertNotClosed();
    checkId('taskId', id);
    const view = this.kernel.getTask(id);
    if (!view) throw new NotFoundError('task', id);
    return view;
  }

  /** Tasks newest first, filtered by status, type and owner, up to `limit` (default 100). */
  async listTasks(filter: { status?: TaskStatus; type?: string; owner?: string; limit?: number } = {}): Promise<TaskView[]> {
    this.assertNotClosed();
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
    this.assertNotClosed();
    return waitForTask(this.kernel, this.waits, id, options);
  }

  /** Cancels an unfinished task. When the task has an owner, only that owner (`by`) may cancel it. */
  async cancelTask(id: string, options: { by?: string } = {}): Promise<TaskView> {
    this.assertOpen();
    return cancelTask(this.kernel, id, options);
  }

  /**
   * Puts a failed, timed-out or rejected task back in the queue as a new attempt, with a fresh set
   * of automatic retries (a `task.retried` event). Owner rules as for `cancelTask`. Any other
   * status is a NotRetryableError, as is a dependency that ended badly (retry that first).
   * @example await hive.retryTask('build-1', { by: 'alice' })
   */
  async retryTask(id: string, options: { by?: string } = {}): Promise<TaskView> {
    this.assertOpen();
    return retryTask(this.kernel, id, options);
  }

  /**
   * Sends a named JSON value to a task. A task `waiting` for it (its handler called
   * `ctx.waitForSignal(name)`) is queued again and its next attempt gets the value; sent earlier,
   * the value is kept until the handler asks for it.
   * @example await hive.signal('deploy-1', 'approve', { ok: true, by: 'alice' })
   */
  async signal(taskId: string, name: string, value: Json = null): Promise<TaskView> {
    this.assertOpen();
    return signalTask(this.kernel, taskId, name, value);
  }

  // ------------------------------------------------------------ messages (src/hive/messageCommands.ts)

  /** Sends a typed envelope to an agent's `onMessage`; resolves with it (id, time, delivery state) once durable. @example await hive.send({ type: 'COMMAND', to: 'builder', payload: { op: 'flush' } }) */
  async send(envelope: SendSpec): Promise<MessageView> {
    this.assertOpen();
    return sendMessage(this.kernel, this.o.messages, envelope);
  }
  /** Envelopes newest first with their delivery state, by receiver and type, up to `limit` (100). @example await hive.messages({ to: 'builder', type: 'COMMAND' }) */
  async messages(filter: { to?: string; type?: SendSpec['type']; limit?: number } = {}): Promise<MessageView[]> {
    this.assertNotClosed();
    return listMessages(this.kernel, filter);
  }
  /** Subscribes an agent to a channel (durable; `'*'` takes every broadcast). @example await hive.subscribe('builder', 'alerts') */
  subscribe(agentId: string, channel: string): Promise<AgentView> {
    this.assertOpen();
    return channelCommand(this.kernel, 'channel.subscribe', agentId, channel);
  }
  /** Ends an agent's subscription to a channel. @example await hive.unsubscribe('builder', 'alerts') */
  unsubscribe(agentId: string, channel: string): Promise<AgentView> {
    this.assertOpen();
    return channelCommand(this.kernel, 'channel.unsubscribe', agentId, channel);
  }
  /** One BROADCAST to each subscriber of `channel` (every agent for `'*'`), the sender excluded. @example await hive.broadcast('alerts', { level: 'high' }) */
  async broadcast(channel: string, payload?: Json, options: BroadcastOptions = {}): Promise<MessageView[]> {
    this.assertOpen();
    return broadcastMessage(this.kernel, this.o.messages, channel, payload, options);
  }

  // ------------------------------------------------------------ schedules

  /**
   * Posts a task on a schedule (`every` ms or a `cron` pattern), durably: a slot's task has the
   * slot time in its id (`<id>@<ISO time>`), so no slot posts twice, also across restarts. The same
   * id with the same options changes nothing (declare schedules on every start); other options update it.
   * @example await hive.schedule({ id: 'nightly', cron: '0 3 * * *', task: { type: 'backup' }, overlap: 'skip' })
   */
  async schedule(options: ScheduleOptions): Promise<ScheduleView> {
    this.assertOpen();
    return setSchedule(this.kernel, options);
  }

  /** Stops a schedule's slots until `resumeSchedule`; slots in between are not caught up. */
  pauseSchedule(id: string): Promise<ScheduleView> {
    this.assertOpen();
    return scheduleCommand(this.kernel, 'schedule.pause', id);
  }
  /** Starts a paused schedule again from its next slot after now. */
  resumeSchedule(id: string): Promise<ScheduleView> {
    this.assertOpen();
    return scheduleCommand(this.kernel, 'schedule.resume', id);
  }
  /** Deletes a schedule (tasks it posted are left alone). */
  removeSchedule(id: string): Promise<ScheduleView> {
    this.assertOpen();
    return scheduleCommand(this.kernel, 'schedule.remove', id);
  }

  /** Every schedule (active or paused), by id. */
  async schedules(): Promise<ScheduleView[]> {
    this.assertOpen();
    return listSchedules(this.kernel);
  }

  async getSchedule(id: string): Promise<ScheduleView> {
    checkId('scheduleId', id);
    const view = scheduleView(this.kernel, id);
    if (!view || view.status === 'removed') throw new NotFoundError('schedule', id);
    return view;
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
    return prune(this.kernel, this.o.clock.now() - this.o.retentionMs, options);
  }

  /** Writes a checkpoint now (normally done every N inputs or T ms). */
  async checkpoint(): Promise<void> {
    this.assertOpen();
    return this.kernel.checkpoint();
  }

  // ------------------------------------------------------------ colonies

  /**
   * Creates a colony: a queen whose workers run `handler` in parallel, each on its own job.
   * Resolves once it is durable.
   * @example
   * const colony = await hive.spawnColony({ name: 'tests', handler: async (job) => runTests(job.input) })
   * const ids = await colony.spawnBatch(modules.map((m) => ({ task: 'test', input: m })))
   * const reports = await colony.waitForReports(ids, { timeoutMs: 60_000 })
   */
  async spawnColony(spec: ColonySpec): Promise<Colony> {
    this.assertOpen();
    return this.parts.colonies.spawnColony(spec);
  }

  /** The handle on an existing colony (also after a restart); NotFoundError if unknown. */
  colony(id: string): Colony {
    return this.parts.colonies.colony(id);
  }

  /** Every colony with its counts and triggers, oldest first. */
  async listColonies(): Promise<ColonyView[]> {
    return this.parts.colonies.list();
  }

  // ------------------------------------------------------------ observing

  /**
   * Subscribes to lifecycle events ('*' for all); returns an unsubscribe function.
   * @example const off = hive.on('task.completed', (e) => console.log(e.taskId))
   */
  on(type: HiveEventType, fn: (e: HiveEvent) => void): () => void {
    this.assertNotClosed();
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
    this.assertNotClosed();
    if (typeof fn !== 'function') throw new ValidationError('inspect', 'needs a function');
    return this.kernel.inspect(fn);
  }

  /** The inspector started by the `inspect` option: its URL (with the access token) and token. */
  get inspector(): { url: string; token: string; port: number } | undefined {
    const s = this.parts.inspector;
    return s ? { url: s.url, token: s.token, port: s.port } : undefined;
  }

  /** The HTTP listener started by the `http` option (webhook triggers at `POST /hooks/<path>`). */
  get http(): { url: string; port: number; host: string } | undefined {
    const h = this.parts.http;
    return h ? { url: h.url, port: h.port, host: h.host } : undefined;
  }

  /** Counts of agents and tasks by status, the queue length and the journal position. */
  async status(): Promise<HiveStatus> {
    this.assertNotClosed();
    const s = this.kernel.status();
    const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    return {
      ...s,
      agents: { total: total(s.agents), ...s.agents },
      tasks: { total: total(s.tasks), ...s.tasks },
      openAuctions: this.kernel.openAuctions(),
      predictions: insightsOf(this.kernel).predictions,
    };
  }

  /**
   * What the hive learned about its own work: how well it predicted, when each task was posted,
   * which agent would run it and how long it would take (scored when the task ended), and ranked
   * advisories (an agent failing a task type, a type no agent can take, a queue growing faster than
   * it drains, an agent that keeps losing auctions). Derived from the journal alone.
   * @example hive.insights().advisories[0]?.message
   */
  insights(): Insights {
    this.assertNotClosed();
    return insightsOf(this.kernel);
  }

  /**
   * The session's status: phases with progress, agents active / idle / error, tasks by status,
   * elapsed and estimated remaining time, and health (HEALTHY, DEGRADED, CRITICAL) with its issues.
   * @example const r = await hive.report(); if (r.health !== 'HEALTHY') console.log(r.issues)
   */
  async report(): Promise<SessionReport> {
    this.assertNotClosed();
    return sessionReport(this.kernel, this.o.clock.now());
  }

  /**
   * True while more tasks wait in the pending queue than `createHive({ queueLimit })` allows (never
   * without a limit). Auction intake pauses on it; `report()` lists it as an issue.
   * @example if (hive.isUnderPressure()) await slowDown()
   */
  isUnderPressure(): boolean {
    this.assertNotClosed();
    return this.kernel.queuePressure().over;
  }

  /**
   * Aborts running attempts and waits up to `timeoutMs` (default 5000) for their handlers to return,
   * flushes a checkpoint, closes the store and releases the lock. Handlers still running then are
   * abandoned: their outcomes are dropped and their tasks run again on the next open.
   * @example await hive.close({ timeoutMs: 10_000 })
   */
  async close(options: CloseOptions = {}): Promise<void> {
    const { timeoutMs } = compileCloseOptions(options);
    this.closing ??= this.parts.close(timeoutMs).finally(() => {
      for (const end of [...this.waits]) end();
    });
    return this.closing;
  }
}
