/**
 * @module protocol: the subjects and messages between a hive and its remote workers over NATS, and
 * the checks every incoming message passes. No NATS code here: both sides and the tests share it.
 *
 * Subjects (prefix `hivestate` by default):
 * - `<p>.work.<agent>`     JetStream, work-queue stream `<p>_work`: one attempt per message, message
 *                          id `taskId:attempt`; one durable pull consumer per agent (`work_<agent>`).
 * - `<p>.verify.<type>`    same stream: verifications, one shared consumer per task type.
 * - `<p>.hive.<op>`        core request/reply, worker -> hive: register, heartbeat, claim, progress,
 *                          checkpoint, postTask, waitForSignal, outcome, leave. The hive answers after it
 *                          journaled the input.
 * - `<p>.agent.<agent>`    core, hive -> worker: abort an attempt (cancel, timeout, reassignment).
 * - `<p>.bid.<agent>`      core request/reply, hive -> worker: an auction asks the agent's price
 *                          (only a worker started with `bid` listens; the hive waits until the
 *                          auction's window closes).
 */
import type { Json, TaskError } from '../../machines/types.js';
import type { RemoteSession } from '../../machines/remoteWorker.js';
import type { BidStats, BidTask } from '../effects/Bidders.js';
import { ValidationError } from '../errors.js';
import type { WaitResult } from '../kernel/signalInputs.js';
import { checkId, checkInt, checkKeys, checkName, limits } from '../validate.js';
import type { TaskView } from '../views.js';

/** Bumped when a message changes shape; a hive refuses workers that speak another version. */
export const protocolVersion = 1;

export const hiveOps = ['register', 'heartbeat', 'claim', 'progress', 'checkpoint', 'postTask', 'waitForSignal', 'outcome', 'leave'] as const;
export type HiveOp = (typeof hiveOps)[number];

/**
 * A subject token (and consumer name part) for an id: letters, digits and `-` stay, `_` doubles,
 * anything else (`.` `:` `@` `/`) becomes `_` and its hex code, so distinct ids never collide.
 * @example subjectToken('build.eu:1') // 'build_2Eeu_3A1'
 */
export function subjectToken(id: string): string {
  let out = '';
  for (const ch of id) {
    if (/[A-Za-z0-9-]/.test(ch)) out += ch;
    else if (ch === '_') out += '__';
    else out += `_${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Every subject and name one prefix uses. */
export interface Subjects {
  prefix: string;
  stream: string;
  work(agentId: string): string;
  verify(taskType: string): string;
  workConsumer(agentId: string): string;
  verifyConsumer(taskType: string): string;
  control(agentId: string): string;
  bid(agentId: string): string;
  hive(op: HiveOp): string;
  hiveAll: string;
}

/**
 * @example subjects('hivestate').work('w1') // 'hivestate.work.w1'
 */
export function subjects(prefix: string): Subjects {
  return {
    prefix,
    stream: `${prefix}_work`,
    work: (agentId) => `${prefix}.work.${subjectToken(agentId)}`,
    verify: (taskType) => `${prefix}.verify.${subjectToken(taskType)}`,
    workConsumer: (agentId) => `work_${subjectToken(agentId)}`,
    verifyConsumer: (taskType) => `verify_${subjectToken(taskType)}`,
    control: (agentId) => `${prefix}.agent.${subjectToken(agentId)}`,
    bid: (agentId) => `${prefix}.bid.${subjectToken(agentId)}`,
    hive: (op) => `${prefix}.hive.${op}`,
    hiveAll: `${prefix}.hive.*`,
  };
}

/** Prefixes: a subject token and a stream name at once. */
export function checkPrefix(field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(value)) {
    throw new ValidationError(field, `must be 1-64 letters, digits or - (it names NATS subjects and a stream); got ${JSON.stringify(value)}`);
  }
  return value;
}

// ------------------------------------------------------------------ messages

/** A JetStream work message: one attempt (or verification) and the task as it was dispatched. */
export type WorkMessage =
  | { v: number; kind: 'execute'; taskId: string; attempt: number; agentId: string; session: string; task: TaskView }
  | { v: number; kind: 'verify'; taskId: string; attempt: number; task: TaskView };

/** What an agent offers when its worker registers. */
export interface RemoteAgentSpec {
  id: string;
  name: string;
  capabilities: string[];
  maxConcurrent: number;
  priority?: 'normal' | 'high' | 'critical';
  failureThreshold?: number;
}

export type Outcome =
  | { type: 'succeeded'; output: Json }
  | { type: 'failed'; error: TaskError }
  | { type: 'rejected'; reason: string }
  | { type: 'verified'; ok: boolean; reason?: string };

interface Attempt {
  agentId: string;
  instance: string;
  taskId: string;
  attempt: number;
}

export interface Requests {
  /** `bids`: the worker was started with a bid function (absent: it was not). Not journaled. */
  register: { v: number; agent: RemoteAgentSpec; worker: RemoteSession; bids?: boolean };
  heartbeat: { agentId: string; instance: string };
  leave: { agentId: string; instance: string };
  claim: Attempt & { kind: 'execute' | 'verify' };
  progress: Attempt & { pct: number; note?: string };
  checkpoint: Attempt & { state: Json };
  /** `ctx.postTask` of a remote attempt: its `call`-th sub-task (1, 2, ...), so a request sent again posts nothing twice. */
  postTask: Attempt & { call: number; spec: Record<string, unknown> };
  /** `ctx.waitForSignal` of a remote attempt that has no value for `name` yet: the hive journals `attempt.waiting`. */
  waitForSignal: Attempt & { name: string; timeoutMs?: number };
  outcome: Attempt & { outcome: Outcome };
}

export interface Replies {
  register: { result: 'registered' | 'rejoined'; heartbeatMs: number };
  heartbeat: { status: 'ok' | 'rejoin' | 'replaced' };
  leave: { left: boolean };
  claim: { current: boolean; task?: TaskView };
  progress: { current: boolean };
  checkpoint: { stored: boolean };
  postTask: { task: TaskView };
  waitForSignal: { result: WaitResult };
  outcome: { recorded: boolean };
}

/** Every reply: the answer, or the typed error the hive refused the request with. */
export type Reply<T> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };

/** An abort, hive -> worker. */
export interface ControlMessage {
  type: 'abort';
  taskId: string;
  attempt: number;
  reason: string;
}

/** An auction asks a worker's agent for its price, hive -> worker (request/reply on `<p>.bid.<agent>`). */
export interface BidRequest {
  v: number;
  taskId: string;
  round: number;
  task: BidTask;
  stats: BidStats;
}

/**
 * The worker's answer: its bid function's answer (checked by the hive as an in-process one is), or
 * why it abstains (`bid_failed`: the function threw; `bad_price`: it answered no price).
 */
export type BidReply = Reply<{ price: number | null }>;

// ------------------------------------------------------------------ reading what arrives

const text = new TextDecoder();

/**
 * Parses a message body as JSON; a body that is not JSON is a ValidationError naming what came.
 * @example parseBody('outcome', new TextEncoder().encode('{"a":1}'))
 */
export function parseBody(what: string, data: Uint8Array): unknown {
  const s = text.decode(data);
  try {
    return JSON.parse(s) as unknown;
  } catch {
    throw new ValidationError(what, `must be a JSON message; got ${data.length} bytes that are not JSON`);
  }
}

const attemptKeys = ['agentId', 'instance', 'taskId', 'attempt'] as const;

function checkAttempt(op: string, o: Record<string, unknown>): Attempt {
  return {
    agentId: checkId(`${op}.agentId`, o.agentId),
    instance: checkName(`${op}.instance`, o.instance, 100),
    taskId: checkId(`${op}.taskId`, o.taskId),
    attempt: checkInt(`${op}.attempt`, o.attempt, 1, 2 ** 31),
  };
}

/**
 * Checks a worker's request to the hive (shape only: JSON values such as outputs are checked
 * where they are used, so a bad output fails its attempt instead of being refused).
 * @example readRequest('heartbeat', { agentId: 'w1', instance: 'i-1' })
 */
export function readRequest<Op extends HiveOp>(op: Op, body: unknown): Requests[Op] {
  const known = {
    register: ['v', 'agent', 'worker', 'bids'],
    heartbeat: ['agentId', 'instance'],
    leave: ['agentId', 'instance'],
    claim: [...attemptKeys, 'kind'],
    progress: [...attemptKeys, 'pct', 'note'],
    checkpoint: [...attemptKeys, 'state'],
    postTask: [...attemptKeys, 'call', 'spec'],
    waitForSignal: [...attemptKeys, 'name', 'timeoutMs'],
    outcome: [...attemptKeys, 'outcome'],
  }[op];
  const o = checkKeys(op, body, known);
  switch (op) {
    case 'register': {
      if (o.v !== protocolVersion)
        throw new ValidationError(
          'register.v',
          `this hive speaks protocol ${protocolVersion}; the worker sent ${JSON.stringify(o.v)} (upgrade the older side)`,
        );
      const w = checkKeys('register.worker', o.worker, ['instance', 'host', 'pid', 'verifies']);
      const verifies = w.verifies;
      if (!Array.isArray(verifies)) throw new ValidationError('register.worker.verifies', 'must be an array of task types');
      const worker: RemoteSession = {
        instance: checkName('register.worker.instance', w.instance, 100),
        host: checkName('register.worker.host', w.host, 255),
        pid: checkInt('register.worker.pid', w.pid, 0, 2 ** 31),
        verifies: verifies.map((t, i) => checkName(`register.worker.verifies[${i}]`, t)),
      };
      if (o.bids !== undefined && typeof o.bids !== 'boolean')
        throw new ValidationError('register.bids', `must be true or false; got ${JSON.stringify(o.bids)}`);
      return { v: protocolVersion, agent: o.agent as RemoteAgentSpec, worker, ...(o.bids === true ? { bids: true } : {}) } as Requests[Op];
    }
    case 'heartbeat':
    case 'leave':
      return { agentId: checkId(`${op}.agentId`, o.agentId), instance: checkName(`${op}.instance`, o.instance, 100) } as Requests[Op];
    case 'claim':
      if (o.kind !== 'execute' && o.kind !== 'verify') throw new ValidationError('claim.kind', `must be 'execute' or 'verify'; got ${JSON.stringify(o.kind)}`);
      return { ...checkAttempt(op, o), kind: o.kind } as Requests[Op];
    case 'progress':
      return { ...checkAttempt(op, o), pct: o.pct, ...(o.note !== undefined ? { note: o.note } : {}) } as Requests[Op];
    case 'checkpoint':
      return { ...checkAttempt(op, o), state: o.state } as Requests[Op];
    case 'postTask':
      if (typeof o.spec !== 'object' || o.spec === null || Array.isArray(o.spec)) throw new ValidationError('postTask.spec', 'must be a task spec (an object)');
      return { ...checkAttempt(op, o), call: checkInt('postTask.call', o.call, 1, 2 ** 31), spec: o.spec } as Requests[Op];
    case 'waitForSignal':
      return {
        ...checkAttempt(op, o),
        name: checkId('waitForSignal.name', o.name),
        ...(o.timeoutMs !== undefined ? { timeoutMs: checkInt('waitForSignal.timeoutMs', o.timeoutMs, 1, limits.maxDelayMs) } : {}),
      } as Requests[Op];
    case 'outcome':
      return { ...checkAttempt(op, o), outcome: readOutcome(o.outcome) } as Requests[Op];
  }
  throw new ValidationError('op', `unknown request ${JSON.stringify(op)}`);
}

/**
 * Checks an auction's question as a worker receives it.
 * @example readBidRequest({ v: 1, taskId: 't1', round: 1, task: { id: 't1', type: 'build', input: null, priority: 0 }, stats })
 */
export function readBidRequest(body: unknown): BidRequest {
  const o = checkKeys('bid', body, ['v', 'taskId', 'round', 'task', 'stats']);
  if (o.v !== protocolVersion)
    throw new ValidationError('bid.v', `this worker speaks protocol ${protocolVersion}; the hive sent ${JSON.stringify(o.v)} (upgrade the older side)`);
  const t = checkKeys('bid.task', o.task, ['id', 'type', 'input', 'priority']);
  checkKeys('bid.stats', o.stats, Object.keys((o.stats ?? {}) as object));
  if (typeof t.priority !== 'number' || !Number.isFinite(t.priority)) throw new ValidationError('bid.task.priority', 'must be a number');
  return {
    v: protocolVersion,
    taskId: checkId('bid.taskId', o.taskId),
    round: checkInt('bid.round', o.round, 0, 2 ** 31),
    task: { id: checkId('bid.task.id', t.id), type: checkName('bid.task.type', t.type), input: (t.input ?? null) as Json, priority: t.priority },
    stats: o.stats as BidStats,
  };
}

/**
 * Reads a worker's answer to an auction: its raw price, or the reason it abstains.
 * @example readBidReply({ ok: true, price: 3 }) // { price: 3 }
 */
export function readBidReply(body: unknown): { price: unknown } | { abstain: string } {
  const o = checkKeys('bid reply', body, ['ok', 'price', 'error']);
  if (o.ok === true) return { price: o.price };
  const e = checkKeys('bid reply.error', o.error, ['code', 'message']);
  return { abstain: `${String(e.code).slice(0, 100)}: ${String(e.message).slice(0, 1000)}` };
}

function readOutcome(value: unknown): Outcome {
  const o = checkKeys('outcome.outcome', value, ['type', 'output', 'error', 'reason', 'ok']);
  switch (o.type) {
    case 'succeeded':
      if (!('output' in o)) throw new ValidationError('outcome.output', 'is missing');
      return { type: 'succeeded', output: o.output as Json };
    case 'failed': {
      const e = checkKeys('outcome.error', o.error, ['code', 'message']);
      return {
        type: 'failed',
        error: { code: checkName('outcome.error.code', e.code), message: typeof e.message === 'string' ? e.message.slice(0, 10_000) : String(e.message) },
      };
    }
    case 'rejected':
      return { type: 'rejected', reason: checkName('outcome.reason', o.reason, 10_000) };
    case 'verified':
      if (typeof o.ok !== 'boolean') throw new ValidationError('outcome.ok', 'must be true or false');
      return { type: 'verified', ok: o.ok, ...(typeof o.reason === 'string' ? { reason: o.reason } : {}) };
    default:
      throw new ValidationError('outcome.type', `must be succeeded, failed, rejected or verified; got ${JSON.stringify(o.type)}`);
  }
}
