/** @module Every error hivestate throws: a `HiveError` base with a stable `code`, and one subclass per kind. */

export type HiveErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'duplicate_id'
  | 'dependency_cycle'
  | 'access_denied'
  | 'already_finished'
  | 'depth_limit'
  | 'hive_closed'
  | 'store_failure'
  | 'wait_timeout'
  | 'task_rejected'
  | 'unsupported_format'
  | 'locked'
  | 'attempt_superseded'
  | 'determinism_violation'
  | 'remote_unavailable'
  | 'worker_refused';

/** Base class: `code` is stable and meant for programs, `message` for people. */
export class HiveError extends Error {
  readonly code: HiveErrorCode;
  constructor(code: HiveErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HiveError';
    this.code = code;
  }
}

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
  readonly kind: 'task' | 'agent';
  readonly id: string;
  constructor(kind: 'task' | 'agent', id: string, detail = '') {
    super('not_found', `no ${kind} with id ${JSON.stringify(id)}${detail}`);
    this.name = 'NotFoundError';
    this.kind = kind;
    this.id = id;
  }
}

export class DuplicateIdError extends HiveError {
  readonly id: string;
  constructor(kind: 'task' | 'agent', id: string) {
    super('duplicate_id', `a ${kind} with id ${JSON.stringify(id)} already exists; ids must be unique`);
    this.name = 'DuplicateIdError';
    this.id = id;
  }
}

export class DependencyCycleError extends HiveError {
  readonly cycle: string[];
  constructor(cycle: string[]) {
    super('dependency_cycle', `dependsOn forms a cycle: ${cycle.join(' -> ')}; dependencies must form a DAG`);
    this.name = 'DependencyCycleError';
    this.cycle = cycle;
  }
}

export class AccessDeniedError extends HiveError {
  readonly id: string;
  constructor(id: string, by: string | undefined) {
    super('access_denied', `access denied: task ${JSON.stringify(id)} belongs to another owner, ${by === undefined ? 'no caller was named' : `not ${JSON.stringify(by)}`}`);
    this.name = 'AccessDeniedError';
    this.id = id;
  }
}

export class AlreadyFinishedError extends HiveError {
  readonly id: string;
  readonly status: string;
  constructor(id: string, status: string) {
    super('already_finished', `task ${JSON.stringify(id)} already finished (${status}); only unfinished tasks can be cancelled`);
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

/** The store refused a write or read; intake stops until the hive is reopened. */
export class StoreError extends HiveError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_failure', message, options);
    this.name = 'StoreError';
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

export class FormatError extends HiveError {
  constructor(message: string) {
    super('unsupported_format', message);
    this.name = 'FormatError';
  }
}

export class LockedError extends HiveError {
  readonly pid: number;
  constructor(dataDir: string, pid: number) {
    super('locked', `data directory ${dataDir} is in use by process ${pid}; one hive may write a directory at a time`);
    this.name = 'LockedError';
    this.pid = pid;
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
    super('attempt_superseded', `attempt ${attempt} of task ${JSON.stringify(taskId)} is no longer current (cancelled, timed out, reassigned or re-dispatched); its checkpoint was not stored`);
    this.name = 'AttemptSupersededError';
    this.taskId = taskId;
    this.attempt = attempt;
  }
}

/**
 * NATS could not be reached (or answered an API call with an error) where hivestate needs it: the
 * hive's `nats` option, or a worker starting. The message names the servers and the reason.
 */
export class RemoteUnavailableError extends HiveError {
  readonly servers: string;
  constructor(servers: string, reason: string, options?: { cause?: unknown }) {
    super('remote_unavailable', `cannot use NATS at ${servers}: ${reason}; start it with \`nats-server -js\` (JetStream on) or pass the right --nats / servers`, options);
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

/** True when `err` is a HiveError (optionally with the given code). */
export function isHiveError(err: unknown, code?: HiveErrorCode): err is HiveError {
  return err instanceof HiveError && (code === undefined || err.code === code);
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
