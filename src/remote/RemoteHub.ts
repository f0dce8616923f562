/**
 * @module RemoteHub: the hive's side of remote workers. It publishes attempts of remote agents to
 * the JetStream work queue and aborts to their workers, answers the workers' requests (register,
 * heartbeat, claim, progress, checkpoint, outcome, leave) after journaling what they report, and
 * journals `worker.lost` for a worker that falls silent, and asks workers for their auction bids
 * (`Bidders` journals the answers). Loaded only by a hive with the `nats` option.
 */
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { AgentContext } from '../../machines/agent.js';
import { remoteAddress } from '../../machines/address.js';
import type { RemoteWorkerContext } from '../../machines/remoteWorker.js';
import type { Clock } from '../clock.js';
import type { BidStats, BidTask, RemoteBidAnswer, RemoteBids } from '../effects/Bidders.js';
import { outputOutcome } from '../effects/outcomes.js';
import { journalWait } from '../effects/waitForSignal.js';
import { isHiveError, RemoteUnavailableError, ValidationError, WorkerRefusedError } from '../errors.js';
import type { Input } from '../kernel/inputs.js';
import type { RegisterResult } from '../kernel/applyWorkerInput.js';
import type { TaskSpec } from '../specs.js';
import type { StoredActor } from '../store/HiveStore.js';
import { checkJson } from '../validate.js';
import type { AgentView, TaskView } from '../views.js';
import type { CompiledNatsOptions } from './compileNatsOptions.js';
import type { RemoteEffects } from './EffectRouter.js';
import { Liveness } from './Liveness.js';
import { remoteAgentRecord } from './remoteAgentRecord.js';
import { hiveOps, parseBody, protocolVersion, readRequest, subjects, type HiveOp, type Replies, type Requests, type Subjects } from './protocol.js';
import { requestBid } from './requestBid.js';
import { ensureWorkStream } from './workStream.js';

/** What the hub reads from and submits to the kernel. */
export interface HubKernel {
  submit(input: Input): Promise<unknown>;
  getTask(id: string): TaskView | undefined;
  getAgent(id: string): AgentView | undefined;
  agentContext(id: string): AgentContext | undefined;
  actorSnapshot(address: string): StoredActor | undefined;
  hostedAddresses(): string[];
}

export interface RemoteHubOptions {
  nats: CompiledNatsOptions;
  kernel: HubKernel;
  logger: Logger;
  clock: Clock;
  hasLocalVerifier(taskType: string): boolean;
  /** A remote attempt's `ctx.postTask`, as an in-process handler's (a sub-task of `parentTaskId`). */
  postSubTask(parentTaskId: string, spec: TaskSpec): Promise<TaskView>;
}

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isRunning = (t: TaskView | undefined, attempt: number, agentId: string): t is TaskView =>
  t !== undefined && t.attempts === attempt && t.assignedTo === agentId && (t.status === 'running' || t.status === 'assigned');
const isVerifying = (t: TaskView | undefined, attempt: number): t is TaskView => t !== undefined && t.attempts === attempt && t.status === 'verifying';

export class RemoteHub implements RemoteEffects, RemoteBids {
  private readonly s: Subjects;
  private readonly liveness: Liveness;
  /** Remote agent ids (their worker actors never leave memory). */
  private readonly known = new Set<string>();
  /** Attempts handed to remote workers, by task id, so an abort finds its worker. */
  private readonly inflight = new Map<string, { attempt: number; agentId: string }>();
  private readonly recording = new Map<string, Promise<Replies['outcome']>>();
  /** Whether each worker session said at registration that it bids (not journaled: a host fact of this process). */
  private readonly bidding = new Map<string, { instance: string; bids: boolean }>();
  private sub: Subscription | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private connected = true;
  private closed = false;
  private readonly maxPayload: number;

  private constructor(
    private readonly o: RemoteHubOptions,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
  ) {
    this.s = subjects(o.nats.prefix);
    this.liveness = new Liveness(o.nats.workerTimeoutMs, () => o.clock.now());
    this.maxPayload = nc.info?.max_payload ?? 1024 * 1024;
    for (const a of o.kernel.hostedAddresses()) if (a.startsWith('remote:')) this.known.add(a.slice('remote:'.length));
  }

  /**
   * Connects, creates the work stream if needed and starts answering workers.
   * @example const hub = await RemoteHub.open({ nats, kernel, logger, clock, hasLocalVerifier })
   */
  static async open(o: RemoteHubOptions): Promise<RemoteHub> {
    const servers = o.nats.servers.join(',');
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: o.nats.servers, name: `hivestate-hive-${o.nats.prefix}`, maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 5000 });
    } catch (err) {
      throw new RemoteUnavailableError(servers, (err as Error).message, { cause: err });
    }
    try {
      await ensureWorkStream(await jetstreamManager(nc), subjects(o.nats.prefix));
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw new RemoteUnavailableError(servers, `JetStream refused the work stream (${(err as Error).message})`, { cause: err });
    }
    const hub = new RemoteHub(o, nc, jetstream(nc));
    hub.start();
    return hub;
  }

  private start(): void {
    this.sub = this.nc.subscribe(this.s.hiveAll, { callback: (err, msg) => void (err ? undefined : this.handle(msg)) });
    void (async () => {
      for await (const st of this.nc.status()) {
        if (st.type === 'disconnect') this.connected = false;
        else if (st.type === 'reconnect') {
          this.connected = true;
          this.liveness.reset(); // nobody could be heard while the link was down
        }
      }
    })();
    const every = Math.max(50, Math.min(500, Math.floor(this.o.nats.workerTimeoutMs / 4)));
    let lastTick = this.o.clock.now();
    this.ticker = setInterval(() => {
      const now = this.o.clock.now();
      const late = now - lastTick - every;
      lastTick = now;
      // Timers run before pending I/O after a stall: excuse it, read the heartbeats, judge next tick.
      if (late > every) this.liveness.excuse(late);
      else this.checkLiveness();
    }, every);
    this.ticker.unref();
  }

  /** Stops answering workers and closes the connection (workers retry until the next hive answers). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    this.sub?.unsubscribe();
    await Promise.allSettled(this.recording.values());
    await this.nc.drain().catch(() => undefined);
  }

  // ---------------------------------------------------------------- effects (called by the kernel's host)

  owns(agentId: string): boolean {
    return this.known.has(agentId) || this.worker(agentId) !== undefined;
  }

  execute(req: { taskId: string; attempt: number; agentId: string }): void {
    this.inflight.set(req.taskId, { attempt: req.attempt, agentId: req.agentId });
    const task = this.o.kernel.getTask(req.taskId);
    const session = this.worker(req.agentId)?.context.instance ?? '';
    if (!isRunning(task, req.attempt, req.agentId)) return;
    const data = JSON.stringify({ v: protocolVersion, kind: 'execute', taskId: req.taskId, attempt: req.attempt, agentId: req.agentId, session, task });
    const size = Buffer.byteLength(data);
    if (size > this.maxPayload - 1024) {
      this.submitQuietly({
        type: 'attempt.failed',
        taskId: req.taskId,
        attempt: req.attempt,
        error: {
          code: 'too_large_for_nats',
          message: `the task's input and checkpoint take ${size} bytes; NATS carries at most ${this.maxPayload} per message (max_payload)`,
        },
      });
      return;
    }
    void this.publish(this.s.work(req.agentId), data, `${req.taskId}:${req.attempt}`, () =>
      isRunning(this.o.kernel.getTask(req.taskId), req.attempt, req.agentId),
    );
  }

  verify(req: { taskId: string; attempt: number }): boolean {
    const task = this.o.kernel.getTask(req.taskId);
    if (!task || this.o.hasLocalVerifier(task.type)) return false;
    if (![...this.known].some((id) => this.worker(id)?.context.verifies.includes(task.type))) return false;
    const data = JSON.stringify({ v: protocolVersion, kind: 'verify', taskId: req.taskId, attempt: req.attempt, task });
    void this.publish(this.s.verify(task.type), data, `${req.taskId}:${req.attempt}:verify`, () => isVerifying(this.o.kernel.getTask(req.taskId), req.attempt));
    return true;
  }

  abort(req: { taskId: string; attempt: number; reason: string }): boolean {
    const f = this.inflight.get(req.taskId);
    if (!f || f.attempt !== req.attempt) return false;
    this.inflight.delete(req.taskId);
    if (!this.closed)
      this.nc.publish(this.s.control(f.agentId), JSON.stringify({ type: 'abort', taskId: req.taskId, attempt: req.attempt, reason: req.reason }));
    return true;
  }

  /**
   * Asks the agent's worker for its price and waits at most `timeoutMs` (until the window closes).
   * A worker that registered without a bid function, or has nobody listening for bids, abstains.
   * @example await hub.askBid({ agentId: 'w1', taskId: 't1', round: 1, task, stats, timeoutMs: 500 }) // { price: 2 }
   */
  async askBid(req: { agentId: string; taskId: string; round: number; task: BidTask; stats: BidStats; timeoutMs: number }): Promise<RemoteBidAnswer> {
    const said = this.bidding.get(req.agentId);
    // Known only for sessions registered with this process; after a hive restart the worker is asked.
    if (said && !said.bids && said.instance === this.worker(req.agentId)?.context.instance) return { abstain: 'its worker was started without a bid function' };
    if (this.closed) return undefined;
    const data = JSON.stringify({ v: protocolVersion, taskId: req.taskId, round: req.round, task: req.task, stats: req.stats });
    const { maxPayload } = this;
    return requestBid({
      nc: this.nc,
      subject: this.s.bid(req.agentId),
      data,
      timeoutMs: req.timeoutMs,
      maxPayload,
      logger: this.o.logger,
      agentId: req.agentId,
    });
  }

  /** Publishes to the work stream until the server stores it or the attempt stops mattering. */
  private async publish(subject: string, data: string, msgID: string, wanted: () => boolean): Promise<void> {
    for (let delay = 50; !this.closed && wanted(); delay = Math.min(delay * 2, 2000)) {
      try {
        await this.js.publish(subject, data, { msgID, timeout: 5000 });
        return;
      } catch (err) {
        this.o.logger.debug({ err, subject, msgID }, 'publishing work failed; retrying');
        await sleep(delay);
      }
    }
  }

  // ---------------------------------------------------------------- requests from workers

  private async handle(msg: Msg): Promise<void> {
    const op = msg.subject.slice(msg.subject.lastIndexOf('.') + 1) as HiveOp;
    let reply: string;
    try {
      if (!hiveOps.includes(op)) throw new ValidationError('subject', `${msg.subject} names no request; known: ${hiveOps.join(', ')}`);
      const req = readRequest(op, parseBody(op, msg.data));
      const answer = await (this.ops[op] as (r: unknown) => Promise<object>)(req);
      reply = JSON.stringify({ ok: true, ...answer });
    } catch (err) {
      if (!isHiveError(err)) this.o.logger.error({ err, subject: msg.subject }, 'a worker request failed');
      reply = JSON.stringify({ ok: false, error: { code: isHiveError(err) ? err.code : 'internal', message: (err as Error)?.message ?? String(err) } });
    }
    if (this.closed || !msg.reply) return;
    if (Buffer.byteLength(reply) > this.maxPayload) {
      reply = JSON.stringify({
        ok: false,
        error: {
          code: 'invalid_input',
          message: `the answer to ${op} would take ${Buffer.byteLength(reply)} bytes; NATS carries at most ${this.maxPayload} per message (max_payload)`,
        },
      });
    }
    try {
      msg.respond(encoder.encode(reply));
    } catch {
      // the connection is closing; the worker asks again
    }
  }

  private readonly ops: { [Op in HiveOp]: (req: Requests[Op]) => Promise<Replies[Op]> } = {
    register: (req) => this.register(req),
    heartbeat: async (req) => {
      const w = this.worker(req.agentId);
      if (!w) return { status: 'rejoin' };
      if (w.context.instance !== req.instance) return { status: 'replaced' };
      if (w.status !== 'online') return { status: 'rejoin' };
      this.liveness.heard(req.agentId);
      return { status: 'ok' };
    },
    leave: async (req) => {
      if (this.worker(req.agentId)?.context.instance !== req.instance) return { left: false };
      return { left: (await this.submit({ type: 'remote.leave', agentId: req.agentId, instance: req.instance })) === true };
    },
    claim: async (req) => {
      this.heardFrom(req);
      const task = this.o.kernel.getTask(req.taskId);
      const current = req.kind === 'verify' ? isVerifying(task, req.attempt) : isRunning(task, req.attempt, req.agentId);
      return current ? { current, task } : { current: false };
    },
    progress: async (req) => {
      if (typeof req.pct !== 'number' || !Number.isFinite(req.pct) || req.pct < 0 || req.pct > 100)
        throw new ValidationError('progress', `pct must be a number from 0 to 100, got ${String(req.pct)}`);
      if (req.note !== undefined && typeof req.note !== 'string') throw new ValidationError('progress', 'note must be a string');
      if (req.note !== undefined) checkJson('progress note', req.note);
      this.heardFrom(req);
      if (!isRunning(this.o.kernel.getTask(req.taskId), req.attempt, req.agentId)) return { current: false };
      await this.submit({
        type: 'attempt.progress',
        taskId: req.taskId,
        attempt: req.attempt,
        pct: req.pct,
        ...(req.note !== undefined ? { note: req.note } : {}),
      });
      return { current: true };
    },
    // A request sent again (no answer in time, or the hive restarted) must not post twice: without a
    // key of its own the sub-task gets one naming the attempt and the call.
    postTask: async (req) => {
      this.heardFrom(req);
      const spec = { idempotencyKey: `remote:${req.taskId}:${req.attempt}:${req.call}`, ...req.spec } as TaskSpec;
      return { task: await this.o.postSubTask(req.taskId, spec) };
    },
    waitForSignal: async (req) => {
      this.heardFrom(req);
      if (!isRunning(this.o.kernel.getTask(req.taskId), req.attempt, req.agentId)) return { result: { outcome: 'superseded' } };
      const { taskId, attempt, name, timeoutMs } = req;
      return { result: await journalWait((input) => this.submit(input), taskId, attempt)(name, timeoutMs) };
    },
    checkpoint: async (req) => {
      const state = checkJson('checkpoint', req.state);
      this.heardFrom(req);
      if (!isRunning(this.o.kernel.getTask(req.taskId), req.attempt, req.agentId)) return { stored: false };
      return { stored: (await this.submit({ type: 'attempt.checkpoint', taskId: req.taskId, attempt: req.attempt, state })) === true };
    },
    outcome: (req) => {
      const key = `${req.taskId}:${req.attempt}:${req.outcome.type === 'verified' ? 'verify' : 'execute'}`;
      let p = this.recording.get(key);
      if (!p) {
        p = this.recordOutcome(req).finally(() => this.recording.delete(key));
        this.recording.set(key, p);
      }
      return p;
    },
  };

  private async register(req: Requests['register']): Promise<Replies['register']> {
    const record = remoteAgentRecord(req.agent, (id) => ({ existing: this.o.kernel.getAgent(id), remote: this.worker(id) !== undefined }));
    const id = record.id;
    const result = (await this.submit({ type: 'remote.register', agent: record, worker: req.worker })) as RegisterResult;
    if (result === 'refused') throw new WorkerRefusedError(id, 'an in-process agent of this hive has that id; give the worker another id');
    this.known.add(id);
    this.bidding.set(id, { instance: req.worker.instance, bids: req.bids === true });
    this.liveness.heard(id);
    return { result, heartbeatMs: Math.max(20, Math.floor(this.o.nats.workerTimeoutMs / 4)) };
  }

  private async recordOutcome(req: Requests['outcome']): Promise<Replies['outcome']> {
    const { taskId, attempt, agentId, outcome } = req;
    const task = this.o.kernel.getTask(taskId);
    if (outcome.type === 'verified') {
      if (!isVerifying(task, attempt)) return { recorded: false };
      await this.submit(
        outcome.ok
          ? { type: 'verify.passed', taskId, attempt }
          : { type: 'verify.failed', taskId, attempt, reason: outcome.reason || 'the verifier refused the output' },
      );
      return { recorded: true };
    }
    if (!isRunning(task, attempt, agentId)) return { recorded: false };
    this.heardFrom(req);
    let input: Input;
    if (outcome.type === 'succeeded') {
      // Never trust the wire: an output the store cannot keep exactly fails the attempt instead.
      const o = outputOutcome(outcome.output);
      input = o.ok ? { type: 'attempt.succeeded', taskId, attempt, output: o.output } : { type: 'attempt.failed', taskId, attempt, error: o.error };
    } else if (outcome.type === 'failed') {
      input = { type: 'attempt.failed', taskId, attempt, error: { code: outcome.error.code, message: outcome.error.message.toWellFormed() } };
    } else {
      input = { type: 'attempt.rejected', taskId, attempt, agentId, reason: outcome.reason.toWellFormed() };
    }
    await this.submit(input);
    if (this.inflight.get(taskId)?.attempt === attempt) this.inflight.delete(taskId);
    return { recorded: true };
  }

  // ---------------------------------------------------------------- liveness

  private checkLiveness(): void {
    if (!this.connected || this.closed) return;
    for (const id of this.known) {
      const w = this.worker(id);
      if (!w) continue;
      const holds = (this.o.kernel.agentContext(id)?.tasks.length ?? 0) > 0;
      if ((w.status !== 'online' && !holds) || !this.liveness.silent(id)) continue;
      this.liveness.reported(id);
      this.o.logger.warn({ agent: id, instance: w.context.instance }, 'remote worker silent: marking it lost');
      this.submitQuietly({ type: 'remote.lost', agentId: id, instance: w.context.instance });
    }
  }

  private heardFrom(req: { agentId: string; instance: string }): void {
    if (this.worker(req.agentId)?.context.instance === req.instance) this.liveness.heard(req.agentId);
  }

  private worker(agentId: string): { status: string; context: RemoteWorkerContext } | undefined {
    const a = this.o.kernel.actorSnapshot(remoteAddress(agentId));
    return a && { status: a.status, context: (a.snapshot as { context: RemoteWorkerContext }).context };
  }

  /** Fire and forget: a failure is logged by `submit` (the hive is closing or its store failed). */
  private submitQuietly(input: Input): void {
    this.submit(input).catch(() => undefined);
  }

  private submit(input: Input): Promise<unknown> {
    return this.o.kernel.submit(input).catch((err: unknown) => {
      this.o.logger.warn({ err, input: input.type }, 'a remote input was not journaled');
      throw err;
    });
  }
}
