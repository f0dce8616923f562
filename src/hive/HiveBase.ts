/** @module HiveBase: the agent and task calls of the Hive facade (each a short delegation to its module in src/hive). */
import type { Json } from '../../machines/types.js';
import type { TaskStatus } from '../../machines/types.js';
import type { Handler } from '../effects/types.js';
import { AlreadyFinishedError, HiveClosedError, NotFoundError } from '../errors.js';
import { Admission } from './Admission.js';
import { type AgentFilter, listAgents, requireAgent } from './agentQueries.js';
import type { HiveParts } from './assembleHive.js';
import type { CompiledHiveOptions } from './compileHiveOptions.js';
import { retryTask } from './retryTask.js';
import { signalTask } from './signalTask.js';
import { type AgentHost, attachBidder, attachHandler, spawnAgent } from './spawnAgent.js';
import { cancelTask } from './taskCommands.js';
import { waitForTask } from './waitForTask.js';
import { withParent } from './withParent.js';
import { takeOnMessage } from './MessageRunner.js';
import type { AgentSpec, Bidder, TaskSpec } from '../specs.js';
import { auditOf, type AuditRecord, type AuditType } from './auditQuery.js';
import { agentStatsOf, routingDecisionsOf, type AgentStats, type RoutingDecision } from './marketQueries.js';
import { checkId, checkInt, checkKeys, checkName } from '../validate.js';
import type { AgentView, TaskView } from '../views.js';

/**
 * The agent and task calls of the Hive facade, and the state every call shares; `Hive` (createHive.ts)
 * adds markets, messages, schedules, colonies, observing and close.
 */
export class HiveBase {
  protected readonly kernel: HiveParts['kernel'];
  protected readonly host: AgentHost;
  protected closing: Promise<void> | undefined;
  /** Open `waitForTask` calls, ended with HiveClosedError by close(). */
  protected readonly waits = new Set<() => void>();
  readonly logger: HiveParts['logger'];

  /** @internal use createHive() */
  constructor(
    protected readonly o: CompiledHiveOptions,
    protected readonly parts: HiveParts,
  ) {
    this.kernel = parts.kernel;
    this.logger = parts.logger;
    this.host = { o, parts, admission: new Admission(parts.kernel, o.assignment) };
    // Async, so a refused spec is a rejected promise for the handler, never a synchronous throw.
    parts.subWork.spawnSubAgent = async (parentId, spec) => this.spawnAgent(withParent('spawnAgent', spec, 'parentId', parentId));
    parts.subWork.postSubTask = async (parentTaskId, spec) => this.postTask(withParent('postTask', spec, 'parentTaskId', parentTaskId));
  }

  /** Writes need an open hive whose store works. */
  protected assertOpen(): void {
    this.assertNotClosed();
    this.kernel.assertOpen();
  }

  /** Reads work after a store failure (memory is never ahead of the journal) but not after close(). */
  protected assertNotClosed(): void {
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
}
