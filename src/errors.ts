/**
 * @module Every error hivestate throws: a `HiveError` base with a stable `code` (errors/HiveError.ts),
 * one subclass per kind; the store's own are in errors/storeErrors.ts. Import them all from here.
 */
import { HiveError } from './errors/HiveError.js';

export { HiveError, isHiveError, type HiveErrorCode } from './errors/HiveError.js';
export { ControlSocketError, DataDirError, FormatError, LockedError, type LockHolder, LockLostError, StoreError } from './errors/storeErrors.js';

/** An argument had the wrong type or value; the message says what is allowed. */
export class ValidationError extends HiveError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('invalid_input', `${field}: ${message}`);
    this.name = 'ValidationError';
    this.field = field;
  }
}

export class NotFoundError extends HiveError {
  readonly kind: 'task' | 'agent' | 'colony' | 'worker' | 'trigger' | 'schedule';
  readonly id: string;
  constructor(kind: 'task' | 'agent' | 'colony' | 'worker' | 'trigger' | 'schedule', id: string, detail = '') {
    super('not_found', `no ${kind} with id ${JSON.stringify(id)}${detail}`);
    this.name = 'NotFoundError';
    this.kind = kind;
    this.id = id;
  }
}

/**
 * An id is taken. For an agent, only when the spec differs: `differences` names each differing
 * field with the registered and the given value (the same spec returns the existing agent).
 */
export class DuplicateIdError extends HiveError {
  readonly id: string;
  /** Agent fields whose registered value differs from the one given (empty for tasks). */
  readonly differences: Array<{ field: string; registered: unknown; given: unknown }>;
  constructor(kind: 'task' | 'agent' | 'colony' | 'trigger', id: string, differences: Array<{ field: string; registered: unknown; given: unknown }> = []) {
    const what = `${kind === 'agent' ? 'an' : 'a'} ${kind} with id ${JSON.stringify(id)} already exists`;
    super(
      'duplicate_id',
      differences.length === 0
        ? `${what}; ids must be unique`
        : `${what} with a different spec: ${differences.map((d) => `${d.field} (registered ${describe(d.registered)}, given ${describe(d.given)})`).join(', ')}; spawnAgent with the same spec returns the existing agent, a new spec needs a new id`,
    );
    this.name = 'DuplicateIdError';
    this.id = id;
    this.differences = differences;
  }
}

const describe = (v: unknown) => (v === undefined ? 'none' : JSON.stringify(v));

export class DependencyCycleError extends HiveError {
  readonly cycle: string[];
  constructor(cycle: string[]) {
    // A cycle can run through a whole batch: the message shows its ends, `cycle` holds all of it.
    const shown =
      cycle.length <= 21 ? cycle.join(' -> ') : `${cycle.slice(0, 10).join(' -> ')} -> … ${cycle.length - 20} more … -> ${cycle.slice(-10).join(' -> ')}`;
    super('dependency_cycle', `dependsOn forms a cycle: ${shown}; dependencies must form a DAG`);
    this.name = 'DependencyCycleError';
    this.cycle = cycle;
  }
}

export class AccessDeniedError extends HiveError {
  readonly id: string;
  constructor(id: string, by: string | undefined) {
    super(
      'access_denied',
      `access denied: task ${JSON.stringify(id)} belongs to another owner, ${by === undefined ? 'no caller was named' : `not ${JSON.stringify(by)}`}`,
    );
    this.name = 'AccessDeniedError';
    this.id = id;
  }
}

export class AlreadyFinishedError extends HiveError {
  readonly id: string;
  readonly status: string;
  constructor(id: string, status: string, what: { kind: 'task' | 'worker'; action: string } | string = { kind: 'task', action: 'cancelled' }) {
    const w = typeof what === 'string' ? { kind: 'task', action: what } : what;
    super('already_finished', `${w.kind} ${JSON.stringify(id)} already finished (${status}); only unfinished ${w.kind}s can be ${w.action}`);
    this.name = 'AlreadyFinishedError';
    this.id = id;
    this.status = status;
  }
}

export class DepthLimitError extends HiveError {
  readonly parentId: string;
  constructor(parentId: string) {
    super('depth_limit', `agent ${JSON.stringify(parentId)} is level 3 and may not spawn agents (levels are 1, 2 and 3)`);
    this.name = 'DepthLimitError';
    this.parentId = parentId;
  }
}

export class HiveClosedError extends HiveError {
  constructor(reason = 'the hive is closed') {
    super('hive_closed', `${reason}; open a new hive with createHive()`);
    this.name = 'HiveClosedError';
  }
}

export class WaitTimeoutError extends HiveError {
  readonly id: string;
  constructor(id: string, timeoutMs: number, status: string) {
    super('wait_timeout', `task ${JSON.stringify(id)} was still ${status} after ${timeoutMs} ms`);
    this.name = 'WaitTimeoutError';
    this.id = id;
  }
}

/**
 * Thrown by a handler to refuse a task: the task goes back to the queue with this agent excluded
 * (and ends `rejected` when no capable agent is left).
 * @example throw new TaskRejectedError('GPU busy')
 */
export class TaskRejectedError extends HiveError {
  constructor(reason: string) {
    super('task_rejected', reason);
    this.name = 'TaskRejectedError';
  }
}

/**
 * A handler called `checkpoint()` from an attempt that is no longer current (cancelled, timed out,
 * reassigned or re-dispatched): the checkpoint was not stored. The handler should stop.
 */
export class AttemptSupersededError extends HiveError {
  readonly taskId: string;
  readonly attempt: number;
  constructor(taskId: string, attempt: number) {
    super(
      'attempt_superseded',
      `attempt ${attempt} of task ${JSON.stringify(taskId)} is no longer current (cancelled, timed out, reassigned or re-dispatched); its checkpoint was not stored`,
    );
    this.name = 'AttemptSupersededError';
    this.taskId = taskId;
    this.attempt = attempt;
  }
}

/** The colony was stopped: it spawns no more workers and takes no more commands that would. */
export class ColonyStoppedError extends HiveError {
  readonly colonyId: string;
  constructor(colonyId: string, action: string) {
    super('colony_stopped', `colony ${JSON.stringify(colonyId)} is stopped; it cannot ${action} (spawn a new colony instead)`);
    this.name = 'ColonyStoppedError';
    this.colonyId = colonyId;
  }
}

/**
 * NATS could not be reached (or answered an API call with an error) where hivestate needs it: the
 * hive's `nats` option, or a worker starting. The message names the servers and the reason.
 */
export class RemoteUnavailableError extends HiveError {
  readonly servers: string;
  constructor(servers: string, reason: string, options?: { cause?: unknown }) {
    super(
      'remote_unavailable',
      `cannot use NATS at ${servers}: ${reason}; start it with \`nats-server -js\` (JetStream on) or pass the right --nats / servers`,
      options,
    );
    this.name = 'RemoteUnavailableError';
    this.servers = servers;
  }
}

/**
 * The hive refused a worker's registration: the agent id belongs to an in-process agent or to a
 * stopped one, or the worker offers a different agent than the one registered under that id.
 */
export class WorkerRefusedError extends HiveError {
  readonly agentId: string;
  constructor(agentId: string, reason: string) {
    super('worker_refused', `the hive refused worker ${JSON.stringify(agentId)}: ${reason}`);
    this.name = 'WorkerRefusedError';
    this.agentId = agentId;
  }
}

/**
 * Replay did not reproduce the recorded run: names the first input (`seq`) and actor (`address`)
 * where they diverge, like Temporal's DeterminismViolationError.
 * @example try { await replay.verify() } catch (e) { if (isHiveError(e, 'determinism_violation')) console.log(e.seq, e.address) }
 */
export class DeterminismViolationError extends HiveError {
  readonly seq: number;
  readonly address: string;
  readonly expected: unknown;
  readonly actual: unknown;
  constructor(seq: number, address: string, detail: string, expected?: unknown, actual?: unknown) {
    super('determinism_violation', `replay diverges from the recorded run at input ${seq}, actor ${address}: ${detail}`);
    this.name = 'DeterminismViolationError';
    this.seq = seq;
    this.address = address;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * `retryTask` was called on a task that is not failed, timed_out or rejected, or whose dependency
 * ended badly (retry that dependency first).
 * @example try { await hive.retryTask(id) } catch (e) { if (isHiveError(e, 'not_retryable')) console.log(e.status) }
 */
export class NotRetryableError extends HiveError {
  readonly id: string;
  readonly status: string;
  constructor(id: string, status: string, dependency?: { id: string; status: string }) {
    super(
      'not_retryable',
      dependency === undefined
        ? `task ${JSON.stringify(id)} is ${status}; only failed, timed_out or rejected tasks can be retried`
        : `task ${JSON.stringify(id)} cannot be retried: its dependency ${JSON.stringify(dependency.id)} ended ${dependency.status} (retry that first)`,
    );
    this.name = 'NotRetryableError';
    this.id = id;
    this.status = status;
  }
}

/**
 * `ctx.waitForSignal(name, { timeoutMs })` gave up: the signal did not arrive in time. Thrown in
 * the attempt after the wait timed out; a handler may catch it and carry on without the signal.
 */
export class SignalTimeoutError extends HiveError {
  readonly taskId: string;
  readonly signal: string;
  constructor(taskId: string, signal: string) {
    super(
      'signal_timeout',
      `task ${JSON.stringify(taskId)} waited for signal ${JSON.stringify(signal)} past its timeoutMs; send it with hive.signal() and retry the task, or catch this error`,
    );
    this.name = 'SignalTimeoutError';
    this.taskId = taskId;
    this.signal = signal;
  }
}

/**
 * Rejects `ctx.waitForSignal` when the signal is not there yet: the attempt has ended (the task is
 * `waiting`, its agent free) and the handler runs again, as a new attempt, once the signal arrives.
 * Let it propagate; anything the handler returns after it is ignored.
 */
export class AttemptSuspendedError extends HiveError {
  readonly taskId: string;
  readonly attempt: number;
  readonly signal: string;
  constructor(taskId: string, attempt: number, signal: string) {
    super(
      'attempt_suspended',
      `attempt ${attempt} of task ${JSON.stringify(taskId)} ended to wait for signal ${JSON.stringify(signal)}; the task runs again when it arrives`,
    );
    this.name = 'AttemptSuspendedError';
    this.taskId = taskId;
    this.attempt = attempt;
    this.signal = signal;
  }
}

/** The inspector's page was not built: `npm run build` writes it to dist/inspector. */
export class InspectorAssetsError extends HiveError {
  readonly searched: string[];
  constructor(searched: string[]) {
    super('not_found', `the inspector page is not built: no index.html in ${searched.join(' or ')}; run \`npm run build\` (it writes dist/inspector)`);
    this.name = 'InspectorAssetsError';
    this.searched = searched;
  }
}

/**
 * `ctx.handoff(agentId, state)` was refused: `unknown` (no such agent), `incapable` (it lacks the
 * task's type) or `unavailable` (stopped, paused, in error, full, detached, refused the task, or
 * the type's rate limit is reached). Nothing changed: the attempt carries on.
 */
export class HandoffRefusedError extends HiveError {
  readonly taskId: string;
  readonly agentId: string;
  readonly reason: 'unknown' | 'incapable' | 'unavailable';
  constructor(taskId: string, agentId: string, reason: 'unknown' | 'incapable' | 'unavailable', detail: string) {
    super('handoff_refused', `task ${JSON.stringify(taskId)} cannot be handed off (${reason}): ${detail}; this attempt carries on`);
    this.name = 'HandoffRefusedError';
    this.taskId = taskId;
    this.agentId = agentId;
    this.reason = reason;
  }
}
