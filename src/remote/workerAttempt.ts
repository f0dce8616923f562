/**
 * @module workerAttempt: one attempt (or verification) on a remote worker: the handler runs with the
 * same `ctx` as in process, its progress and checkpoints are confirmed by the hive, and its result
 * becomes an outcome that always fits in one NATS message.
 */
import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { Json } from '../../machines/types.js';
import { describeThrown } from '../effects/describeThrown.js';
import { outputOutcome, readVerdict } from '../effects/outcomes.js';
import { waitForSignal } from '../effects/waitForSignal.js';
import type { Handler, HandlerContext, Verifier } from '../effects/types.js';
import { AttemptSupersededError, isHiveError, TaskRejectedError, ValidationError } from '../errors.js';
import { checkJson } from '../validate.js';
import type { TaskView } from '../views.js';
import type { HiveOp, Outcome, Replies, Requests } from './protocol.js';

/** One attempt being run: its number, its work message (acknowledged at the end) and its abort switch. */
export interface Run {
  attempt: number;
  msg: JsMsg;
  controller: AbortController;
}

/** What running an attempt needs from its worker. */
export interface AttemptDeps {
  agentId: string;
  instance: string;
  handlers: ReadonlyMap<string, Handler>;
  verifiers: ReadonlyMap<string, Verifier>;
  logger: Logger;
  maxPayload: number;
  /** Asks the hive, again while it does not answer and `keepTrying` says so. */
  ask<Op extends HiveOp>(op: Op, body: Requests[Op], keepTrying?: () => boolean): Promise<Replies[Op]>;
  closed(): boolean;
}

/** Tells JetStream the attempt is still being worked on; while reconnecting the next call does. */
export const keepAlive = (m: JsMsg) => {
  try {
    m.working();
  } catch {
    // reconnecting
  }
};

/**
 * Runs the handler; resolves with the outcome to send, or undefined when the attempt was aborted.
 * @example const outcome = await runAttempt(deps, task, { attempt: 1, msg, controller: new AbortController() })
 */
export async function runAttempt(d: AttemptDeps, task: TaskView, run: Run): Promise<Outcome | undefined> {
  const handler = d.handlers.get(task.type);
  if (!handler) return { type: 'rejected', reason: `worker ${d.agentId} has no handler for task type ${JSON.stringify(task.type)}` };
  const { signal } = run.controller;
  const ids = { agentId: d.agentId, instance: d.instance, taskId: task.id, attempt: run.attempt };
  const superseded = () => {
    run.controller.abort(new AttemptSupersededError(task.id, run.attempt));
    return new AttemptSupersededError(task.id, run.attempt);
  };
  let subTasks = 0;
  const ctx: HandlerContext = {
    signal,
    attempt: run.attempt,
    agentId: d.agentId,
    taskId: task.id,
    lastCheckpoint: task.checkpoint,
    logger: d.logger.child({ task: task.id, attempt: run.attempt }),
    // Sub-agents are journaled by the hive's own process; a remote attempt has none.
    spawnAgent: async () => {
      throw new ValidationError('spawnAgent', 'is not available to remote workers (run the task in the hive process)');
    },
    // Posted by the hive (`call` numbers the sub-tasks of this attempt, so asking again posts nothing twice).
    postTask: async (spec) => {
      if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new ValidationError('postTask', 'takes a task spec (an object)');
      checkJson('postTask spec', spec as unknown as Json);
      const { task: posted } = await d.ask('postTask', { ...ids, call: ++subTasks, spec: spec as unknown as Record<string, unknown> }, () => !d.closed());
      return posted;
    },
    signals: task.signals ?? {},
    // The hive journals the wait, as for an in-process attempt: a value already sent comes back at
    // once; otherwise the attempt ends here and the task runs again when the signal arrives.
    waitForSignal: waitForSignal({
      taskId: task.id,
      attempt: run.attempt,
      wait: async (name, timeoutMs) =>
        (await d.ask('waitForSignal', { ...ids, name, ...(timeoutMs !== undefined ? { timeoutMs } : {}) }, () => !signal.aborted && !d.closed())).result,
      task: () => task,
      alive: () => !signal.aborted,
    }),
    handoff: async () => {
      throw new ValidationError('handoff', 'is not available to remote workers (run the task in the hive process)');
    },
    progress: async (pct, note) => {
      if (typeof pct !== 'number' || !Number.isFinite(pct) || pct < 0 || pct > 100)
        throw new ValidationError('progress', `pct must be a number from 0 to 100, got ${String(pct)}`);
      if (note !== undefined && typeof note !== 'string') throw new ValidationError('progress', 'note must be a string');
      if (note !== undefined) checkJson('progress note', note);
      if (signal.aborted) return;
      keepAlive(run.msg);
      const r = await d
        .ask('progress', { ...ids, pct, ...(note !== undefined ? { note } : {}) }, () => !signal.aborted && !d.closed())
        .catch((err: unknown) => {
          if (isHiveError(err, 'invalid_input')) throw err;
          return { current: true }; // the attempt ended or the worker is closing
        });
      if (!r.current) superseded();
    },
    checkpoint: async (state) => {
      checkJson('checkpoint', state);
      if (signal.aborted) throw new AttemptSupersededError(task.id, run.attempt);
      keepAlive(run.msg);
      const r = await d
        .ask('checkpoint', { ...ids, state }, () => !signal.aborted && !d.closed())
        .catch((err: unknown) => {
          if (isHiveError(err, 'invalid_input')) throw err;
          return { stored: false };
        });
      if (!r.stored) throw superseded();
    },
  };
  let outcome: Outcome;
  try {
    outcome = natsOutcome(await handler(task, ctx), d.maxPayload);
  } catch (err) {
    // Messages are cut to what the hive keeps, so an outcome always fits in one NATS message.
    if (err instanceof TaskRejectedError) outcome = { type: 'rejected', reason: err.message.slice(0, 10_000) || 'rejected' };
    // describeThrown never throws and cuts code and message to what the hive journals.
    else outcome = { type: 'failed', error: describeThrown(err) };
  }
  return signal.aborted ? undefined : outcome;
}

/**
 * The output as the hive will journal it; anything NATS or the store cannot carry fails the attempt with a typed error.
 * @example natsOutcome(10n, 1048576) // { type: 'failed', error: { code: 'bad_output', ... } }
 */
export function natsOutcome(output: unknown, maxPayload: number): Outcome {
  const o = outputOutcome(output);
  if (!o.ok) return { type: 'failed', error: o.error };
  const size = Buffer.byteLength(JSON.stringify(o.output));
  if (size > maxPayload - 1024) {
    return {
      type: 'failed',
      error: { code: 'output_too_large', message: `the output is ${size} bytes of JSON; NATS carries at most ${maxPayload} bytes per message (max_payload)` },
    };
  }
  return { type: 'succeeded', output: o.output as Json };
}

/**
 * Runs the worker's verifier for the task's type; its answer (or its throw) becomes a `verified` outcome.
 * @example await runVerifier(deps, task) // { type: 'verified', ok: true }
 */
export async function runVerifier(d: AttemptDeps, task: TaskView): Promise<Outcome> {
  const verifier = d.verifiers.get(task.type);
  if (!verifier) return { type: 'verified', ok: false, reason: `worker ${d.agentId} has no verifier for task type ${JSON.stringify(task.type)}` };
  try {
    const v = readVerdict(await verifier(task));
    return v.ok ? { type: 'verified', ok: true } : { type: 'verified', ok: false, reason: v.reason };
  } catch (err) {
    return { type: 'verified', ok: false, reason: `the verifier threw: ${(err as Error)?.message ?? String(err)}` };
  }
}
