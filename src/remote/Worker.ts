/**
 * @module Worker: a remote worker process's side. It registers its agent with the hive, pulls the
 * agent's attempts (and verifications it offers) from the JetStream work queue, runs handlers with
 * the same `ctx` as in process, sends progress, checkpoints and outcomes to the hive (retried until
 * the hive confirms it journaled them) and only then acknowledges the work message. A worker started
 * with `bid` answers the hive's auctions (`answerBids`).
 */
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { HiveError, isHiveError, RemoteUnavailableError, ValidationError, WorkerRefusedError, type HiveErrorCode } from '../errors.js';
import type { TaskView } from '../views.js';
import type { CompiledWorkerOptions } from './compileWorkerOptions.js';
import {
  parseBody,
  protocolVersion,
  subjects,
  type ControlMessage,
  type HiveOp,
  type Replies,
  type Reply,
  type Requests,
  type Subjects,
  type WorkMessage,
} from './protocol.js';
import { ackWaitMs, ensureConsumer, ensureWorkStream } from './workStream.js';
import { answerBids } from './workerBids.js';
import { keepAlive, runAttempt, runVerifier, type AttemptDeps, type Run } from './workerAttempt.js';

/** A running remote worker. */
export interface RemoteWorker {
  readonly agentId: string;
  /** This process's session id: a restarted worker is a new instance. */
  readonly instance: string;
  /** Attempts and verifications running now. */
  readonly running: number;
  /** Resolves when the worker stopped (closed, or replaced by another process with its agent id). */
  readonly stopped: Promise<void>;
  /** Lets running attempts finish (up to `closeTimeoutMs`), hands the rest back, leaves and disconnects. */
  close(): Promise<void>;
}

/** Errors the hive answers while it cannot take input now: ask again later. */
const transient = new Set(['hive_closed', 'store_failure', 'internal']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Acknowledges (or terminates) a work message; on a connection that is closing it is redelivered later, which is harmless. */
const settle = (m: JsMsg, how: 'ack' | 'term') => {
  try {
    if (how === 'ack') m.ack();
    else m.term();
  } catch {
    // closing
  }
};

/**
 * Connects, registers and starts pulling work. Rejects with `RemoteUnavailableError` when NATS
 * cannot be reached and `WorkerRefusedError` when the hive refuses the agent; waits while no hive answers.
 * @example const w = await startWorker(compileWorkerOptions({ servers, agent: { id: 'w1', capabilities: ['build'] }, handlers }))
 */
export async function startWorker(o: CompiledWorkerOptions): Promise<RemoteWorker> {
  const servers = o.servers.join(',');
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: o.servers, name: `hivestate-worker-${o.agent.id}`, maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 5000 });
  } catch (err) {
    throw new RemoteUnavailableError(servers, (err as Error).message, { cause: err });
  }
  const worker = new Worker(o, nc, jetstream(nc));
  try {
    await worker.start();
  } catch (err) {
    await nc.close().catch(() => undefined);
    if (isHiveError(err)) throw err;
    throw new RemoteUnavailableError(servers, (err as Error).message, { cause: err });
  }
  return worker;
}

class Worker implements RemoteWorker {
  readonly agentId: string;
  readonly instance = randomUUID();
  readonly stopped: Promise<void>;
  private readonly s: Subjects;
  private readonly logger: Logger;
  private readonly runs = new Map<string, Run>();
  /** Aborts that arrived before their work message, newest last (bounded). */
  private readonly aborted = new Set<string>();
  private readonly consumers: ConsumerMessages[] = [];
  private control: Subscription | undefined;
  private bids: Subscription | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private workingTimer: NodeJS.Timeout | undefined;
  private heartbeatMs = 1000;
  private rejoining: Promise<void> | undefined;
  private state: 'running' | 'closing' | 'closed' = 'running';
  private closing: Promise<void> | undefined;
  private resolveStopped!: () => void;
  private readonly maxPayload: number;

  constructor(
    private readonly o: CompiledWorkerOptions,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
  ) {
    this.agentId = o.agent.id;
    this.s = subjects(o.prefix);
    this.logger = o.logger.child({ worker: o.agent.id, instance: this.instance });
    this.stopped = new Promise((r) => (this.resolveStopped = r));
    this.maxPayload = nc.info?.max_payload ?? 1024 * 1024;
    this.attemptDeps = {
      agentId: this.agentId,
      instance: this.instance,
      handlers: o.handlers,
      verifiers: o.verifiers,
      logger: this.logger,
      maxPayload: this.maxPayload,
      ask: (op, body, keepTrying) => this.rpc(op, body, keepTrying),
      closed: () => this.state === 'closed',
    };
  }

  /** What running one attempt needs from this worker. */
  private readonly attemptDeps: AttemptDeps;

  get running(): number {
    return this.runs.size;
  }

  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await ensureWorkStream(jsm, this.s);
    await ensureConsumer(jsm, this.s, this.s.workConsumer(this.agentId), this.s.work(this.agentId));
    for (const type of this.o.verifiers.keys()) await ensureConsumer(jsm, this.s, this.s.verifyConsumer(type), this.s.verify(type));
    this.control = this.nc.subscribe(this.s.control(this.agentId), {
      callback: (err, msg) => {
        if (!err) this.onControl(msg.data);
      },
    });
    // Listening before registering: the hive may ask for a bid as soon as the agent is free.
    if (this.o.bid) this.bids = answerBids(this.nc, this.s.bid(this.agentId), this.o.bid, this.logger, () => this.state === 'running');
    await this.register();
    await this.consume(this.s.workConsumer(this.agentId), this.o.agent.maxConcurrent);
    for (const type of this.o.verifiers.keys()) await this.consume(this.s.verifyConsumer(type), 1);
    this.armHeartbeat();
    // Long attempts keep their message: without this, JetStream would redeliver it after ackWaitMs.
    this.workingTimer = setInterval(() => {
      for (const r of this.runs.values()) keepAlive(r.msg);
    }, ackWaitMs / 3);
    this.workingTimer.unref();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown(true);
    return this.closing;
  }

  // ---------------------------------------------------------------- talking to the hive

  /** Asks the hive, again and again while it does not answer (it may be restarting, or NATS may be). */
  private async rpc<Op extends HiveOp>(
    op: Op,
    body: Requests[Op],
    keepTrying: () => boolean = () => this.state !== 'closed',
    timeoutMs = 5000,
  ): Promise<Replies[Op]> {
    const data = JSON.stringify(body);
    const size = Buffer.byteLength(data);
    // Asking again would never help a message NATS refuses to carry.
    if (size > this.maxPayload) throw new ValidationError(op, `is ${size} bytes; NATS carries at most ${this.maxPayload} bytes per message (max_payload)`);
    for (let delay = 25; ; delay = Math.min(delay * 2, 1000)) {
      try {
        const m = await this.nc.request(this.s.hive(op), data, { timeout: timeoutMs });
        const r = parseBody(`${op} reply`, m.data) as Reply<Replies[Op]>;
        if (r.ok) return r;
        if (!transient.has(r.error.code))
          throw r.error.code === 'worker_refused'
            ? new WorkerRefusedError(this.agentId, r.error.message)
            : new HiveError(r.error.code as HiveErrorCode, r.error.message);
      } catch (err) {
        if (isHiveError(err)) throw err;
        this.logger.debug({ err, op }, 'no answer from the hive yet; asking again');
      }
      if (!keepTrying()) throw new HiveError('hive_closed', `the hive did not answer ${op} before the worker stopped asking`);
      await sleep(delay);
    }
  }

  private async register(): Promise<void> {
    const r = await this.rpc('register', {
      v: protocolVersion,
      agent: this.o.agent,
      worker: { instance: this.instance, host: this.o.host, pid: process.pid, verifies: [...this.o.verifiers.keys()] },
      // Sent only when true, so a worker without `bid` still registers with a hive that predates bids.
      ...(this.o.bid ? { bids: true } : {}),
    });
    this.logger.info({ result: r.result }, 'registered with the hive');
    if (r.heartbeatMs !== this.heartbeatMs) {
      this.heartbeatMs = r.heartbeatMs;
      if (this.heartbeatTimer) this.armHeartbeat();
    }
  }

  private armHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    let inFlight = false;
    this.heartbeatTimer = setInterval(() => {
      if (inFlight || this.state === 'closed') return;
      inFlight = true;
      this.heartbeat().finally(() => (inFlight = false));
    }, this.heartbeatMs);
  }

  private async heartbeat(): Promise<void> {
    let status: Replies['heartbeat']['status'];
    try {
      // A heartbeat lost with a hive that died (or a NATS restart) must not hold back the next one:
      // waiting out a long request timeout would look like silence to the restarted hive.
      status = (await this.rpc('heartbeat', { agentId: this.agentId, instance: this.instance }, () => false, this.heartbeatMs)).status;
    } catch {
      return; // no hive or no NATS right now; the next beat asks again
    }
    if (status === 'rejoin' && this.state === 'running') {
      this.rejoining ??= this.register()
        .catch((err: unknown) => this.logger.error({ err }, 'rejoining the hive failed'))
        .finally(() => (this.rejoining = undefined));
    } else if (status === 'replaced') {
      this.logger.error('another process registered this agent id; this worker stops');
      void (this.closing ??= this.shutdown(false));
    }
  }

  private onControl(data: Uint8Array): void {
    let m: ControlMessage;
    try {
      m = parseBody('control', data) as ControlMessage;
    } catch {
      return;
    }
    if (m.type !== 'abort') return;
    const run = this.runs.get(m.taskId);
    if (run && run.attempt === m.attempt) run.controller.abort(new Error(`attempt ${m.attempt} of task ${m.taskId} aborted: ${m.reason}`));
    else {
      this.aborted.add(`${m.taskId}:${m.attempt}`);
      if (this.aborted.size > 10_000) this.aborted.delete(this.aborted.values().next().value!);
    }
  }

  // ---------------------------------------------------------------- work

  private async consume(consumer: string, maxMessages: number): Promise<void> {
    const c = await this.js.consumers.get(this.s.stream, consumer);
    const messages = await c.consume({ max_messages: Math.max(1, maxMessages) });
    this.consumers.push(messages);
    void (async () => {
      for await (const m of messages) void this.onMessage(m).catch((err: unknown) => this.logger.error({ err }, 'a work message could not be handled'));
    })();
  }

  private async onMessage(m: JsMsg): Promise<void> {
    if (this.state !== 'running') return; // left unacknowledged: the hive hands it to someone else
    let w: WorkMessage;
    try {
      w = parseBody('work message', m.data) as WorkMessage;
      if (w.v !== protocolVersion || (w.kind !== 'execute' && w.kind !== 'verify'))
        throw new ValidationError('work message', `protocol ${String(w.v)} kind ${String(w.kind)}`);
    } catch (err) {
      this.logger.error({ err, seq: m.seq }, 'dropping a work message this worker cannot read');
      settle(m, 'term');
      return;
    }
    const key = w.kind === 'verify' ? `verify:${w.taskId}` : w.taskId;
    const known = this.runs.get(key);
    if (known && known.attempt === w.attempt) {
      // Redelivered (the same stream message) or published again after a hive restart (another one).
      if (known.msg.seq === m.seq) known.msg = m;
      else settle(m, 'ack');
      return;
    }
    if (w.kind === 'execute' && (w.agentId !== this.agentId || this.aborted.has(`${w.taskId}:${w.attempt}`))) return settle(m, 'ack');
    const run: Run = { attempt: w.attempt, msg: m, controller: new AbortController() };
    this.runs.set(key, run);
    let task: TaskView | undefined = w.task;
    // A message from before this process started, or seen before, may be stale: ask the hive.
    if (m.redelivered || w.kind === 'verify' || w.session !== this.instance) {
      const r = await this.rpc('claim', { agentId: this.agentId, instance: this.instance, taskId: w.taskId, attempt: w.attempt, kind: w.kind }).catch(
        () => undefined,
      );
      task = r?.current ? r.task : undefined;
    }
    if (!task || run.controller.signal.aborted) {
      if (this.runs.get(key) === run) this.runs.delete(key);
      settle(run.msg, 'ack');
      return;
    }
    const outcome = w.kind === 'verify' ? await runVerifier(this.attemptDeps, task) : await runAttempt(this.attemptDeps, task, run);
    if (outcome) {
      try {
        await this.rpc('outcome', { agentId: this.agentId, instance: this.instance, taskId: w.taskId, attempt: w.attempt, outcome });
      } catch (err) {
        this.logger.warn({ err, task: w.taskId, attempt: w.attempt }, 'outcome not recorded by the hive');
      }
    }
    if (this.runs.get(key) === run) this.runs.delete(key);
    // Acknowledged only now: the hive journaled the outcome (or the attempt ended without one).
    settle(run.msg, 'ack');
  }

  // ---------------------------------------------------------------- stopping

  private async shutdown(leave: boolean): Promise<void> {
    this.state = 'closing';
    for (const c of this.consumers) c.stop();
    const deadline = Date.now() + (leave ? this.o.closeTimeoutMs : 0);
    while (this.runs.size > 0 && Date.now() < deadline) await sleep(20);
    for (const r of this.runs.values()) r.controller.abort(new Error('the worker is closing: the attempt is handed back to the hive'));
    if (leave) {
      const until = Date.now() + 5000;
      await this.rpc('leave', { agentId: this.agentId, instance: this.instance }, () => Date.now() < until).catch((err: unknown) =>
        this.logger.warn({ err }, 'the hive did not confirm the leave; it will find the worker silent'),
      );
    }
    this.state = 'closed';
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.workingTimer) clearInterval(this.workingTimer);
    this.control?.unsubscribe();
    this.bids?.unsubscribe();
    await this.nc.drain().catch(() => undefined);
    this.resolveStopped();
  }
}
