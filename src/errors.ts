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
  | 'not_retryable'
  | 'signal_timeout'
  | 'attempt_suspended'
  | 'invalid_data_dir'
  | 'control_unavailable'
  | 'colony_stopped'
  | 'remote_unavailable'
  | 'worker_refused'
  | 'handoff_refused';

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

/**
 * The data directory cannot be used: it is a file, a part of its path is a file, or this process
 * may not create or write it. The message says which.
 * @example try { await createHive({ dataDir: './notes.txt' }) } catch (e) { if (isHiveError(e, 'invalid_data_dir')) console.log(e.message) }
 */
export class DataDirError extends HiveError {
  readonly dataDir: string;
  constructor(dataDir: string, problem: string, options?: { cause?: unknown }) {
    super('invalid_data_dir', `dataDir ${JSON.stringify(dataDir)} ${problem}; dataDir must be a directory this process can create and write`, options);
    this.name = 'DataDirError';
    this.dataDir = dataDir;
  }
}

/** `createHive({ control: true })` could not open the local control socket; the message says why. */
export class ControlSocketError extends HiveError {
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('control_unavailable', `cannot open the control socket ${path}: ${reason}; open the hive without control: true, or free that path`, options);
    this.name = 'ControlSocketError';
    this.path = path;
  }
}

/**
 * The store refused a write or read; intake stops until the hive is reopened. `mayHaveBeenRecorded`
 * is true when the write reached the data file but was not confirmed durable (a failed sync): a
 * reopen on the same machine sees it, a power loss may undo it. False means nothing was recorded.
 */
export class StoreError extends HiveError {
  readonly mayHaveBeenRecorded: boolean;
  constructor(message: string, options?: { cause?: unknown; mayHaveBeenRecorded?: boolean }) {
    super('store_failure', message, options);
    this.name = 'StoreError';
    this.mayHaveBeenRecorded = options?.mayHaveBeenRecorded ?? false;
  }
}

/** This process no longer holds its data directory's writer lock; nothing more is written. */
export class LockLostError extends StoreError {
  readonly dataDir: string;
  constructor(dataDir: string, what: string) {
    super(`${what} refused: this process no longer holds the writer lock on ${dataDir}; nothing was recorded and intake stopped (reopen the hive)`);
    this.name = 'LockLostError';
    this.dataDir = dataDir;
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

/** A data directory this hivestate cannot read safely: a newer format, or a damaged or truncated file (`file` names it). */
export class FormatError extends HiveError {
  readonly file: string | undefined;
  constructor(message: string, options?: { file?: string; cause?: unknown }) {
    super('unsupported_format', message, options);
    this.name = 'FormatError';
    this.file = options?.file;
  }
}

/** Who holds a data directory's writer lock, as its `hive.lock` file describes it. */
export interface LockHolder {
  pid: number;
  host?: string;
  since?: string;
}

/**
 * Another process is the writer of the data directory. `pid` is that process when known (from
 * `hive.lock`); `lockName` is the abstract socket it holds (`ss -xlp` lists its owner).
 */
export class LockedError extends HiveError {
  readonly pid: number | undefined;
  readonly dataDir: string;
  /** `hint` replaces the general advice when the caller knows better (the CLI: how to let it in). */
  constructor(dataDir: string, holder: LockHolder | undefined, lockName?: string, hint?: string) {
    const who = holder
      ? `process ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}${holder.since ? ` (writer since ${holder.since})` : ''}`
      : `another process (hive.lock, which names it, is missing or stale${lockName ? `; \`ss -xlp | grep '${lockName}'\` shows it` : ''})`;
    super(
      'locked',
      `data directory ${dataDir} is in use by ${who}; ` +
        (hint ??
          'one hive may write a directory at a time. Close that hive or stop that process: its lock is released the moment it exits, even when killed, so there is no lock file to delete'),
    );
    this.name = 'LockedError';
    this.pid = holder?.pid;
    this.dataDir = dataDir;
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
