/**
 * @module Executor: runs handler attempts and verifications, and turns each outcome into a journaled
 * input. It is the only place agent work happens; it never changes state directly.
 */
import type { Logger } from 'pino';
import { AttemptSupersededError, TaskRejectedError, ValidationError } from '../errors.js';
import type { EffectRunner } from '../kernel/Kernel.js';
import type { Input } from '../kernel/inputs.js';
import { checkJson, preview, storableText } from '../validate.js';
import type { AgentSpec, TaskSpec } from '../specs.js';
import type { AgentView, TaskView } from '../views.js';
import { describeThrown, maxErrorMessage } from './describeThrown.js';
import { outputOutcome, readVerdict } from './outcomes.js';
import type { Handler, HandlerContext, Verifier } from './types.js';
import { journalWait, waitForSignal } from './waitForSignal.js';
import { handoff } from './handoff.js';
import { settleWithin } from './settleWithin.js';

type AttemptRequest = { taskId: string; attempt: number; agentId: string };

export interface ExecutorDeps {
  submit(input: Input): Promise<unknown>;
  task(id: string): TaskView | undefined;
  handlerFor(agentId: string, taskType: string): Handler | undefined;
  verifierFor(taskType: string): Verifier | undefined;
  /** A handler's `ctx.spawnAgent`: a sub-agent of `parentAgentId`. */
  spawnSubAgent(parentAgentId: string, spec: AgentSpec): Promise<AgentView>;
  /** A handler's `ctx.postTask`: a sub-task of `parentTaskId`. */
  postSubTask(parentTaskId: string, spec: TaskSpec): Promise<TaskView>;
  logger: Logger;
}

type AttemptFunctions = Pick<HandlerContext, 'waitForSignal' | 'handoff' | 'spawnAgent' | 'postTask' | 'progress' | 'checkpoint'>;

interface Running {
  attempt: number;
  abort: AttemptAbort;
  done: Promise<void>;
}

/** An attempt's abort: its AbortController is made only when the handler reads `ctx.signal` (aborted already, if it was). */
class AttemptAbort {
  aborted = false;
  private reason: Error | undefined;
  private controller: AbortController | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

export class Executor implements EffectRunner {
  private readonly running = new Map<string, Running>();
  /** Attempts whose agent has no handler yet, by agent id; they start when one is attached. */
  private readonly parked = new Map<string, Array<{ taskId: string; attempt: number; agentId: string }>>();

  constructor(private readonly deps: ExecutorDeps) {}

  execute(req: { taskId: string; attempt: number; agentId: string }): void {
    const task = this.deps.task(req.taskId);
    if (task?.status !== 'running' || task.attempts !== req.attempt) return;
    const handler = this.deps.handlerFor(req.agentId, task.type);
    if (!handler) {
      this.deps.logger.warn(
        { task: req.taskId, agent: req.agentId, type: task.type },
        'no handler for this agent and task type yet; the attempt waits until one is attached',
      );
      const list = this.parked.get(req.agentId) ?? [];
      list.push(req);
      this.parked.set(req.agentId, list);
      return;
    }
    // The signal, the logger and the functions are made when the handler first reads them: most never do.
    const abort = new AttemptAbort();
    const executor = this;
    let logger: Logger | undefined;
    let fns: AttemptFunctions | undefined;
    const ctx: HandlerContext = {
      get signal() {
        return abort.signal;
      },
      attempt: req.attempt,
      agentId: req.agentId,
      taskId: req.taskId,
      lastCheckpoint: task.checkpoint,
      signals: task.signals ?? {},
      get waitForSignal() {
        return (fns ??= executor.functions(req, abort)).waitForSignal;
      },
      get logger() {
        return (logger ??= executor.deps.logger.child({ task: req.taskId, attempt: req.attempt, agent: req.agentId }));
      },
      get handoff() {
        return (fns ??= executor.functions(req, abort)).handoff;
      },
      get spawnAgent() {
        return (fns ??= executor.functions(req, abort)).spawnAgent;
      },
      get postTask() {
        return (fns ??= executor.functions(req, abort)).postTask;
      },
      get progress() {
        return (fns ??= executor.functions(req, abort)).progress;
      },
      get checkpoint() {
        return (fns ??= executor.functions(req, abort)).checkpoint;
      },
    };
    const done = this.run(req, handler, task, ctx, abort);
    this.running.set(req.taskId, { attempt: req.attempt, abort, done });
  }

  /** The functions of an attempt's context, made on first use. */
  private functions(req: AttemptRequest, abort: AttemptAbort): AttemptFunctions {
    const deps = this.deps;
    const alive = () => !abort.aborted;
    return {
      waitForSignal: waitForSignal({
        taskId: req.taskId,
        attempt: req.attempt,
        wait: journalWait(deps.submit, req.taskId, req.attempt),
        task: () => deps.task(req.taskId),
        alive,
      }),
      handoff: handoff({ taskId: req.taskId, attempt: req.attempt, submit: deps.submit, alive }),
      spawnAgent: (spec) => deps.spawnSubAgent(req.agentId, spec),
      postTask: (spec) => deps.postSubTask(req.taskId, spec),
      // What is journaled is the checked copy (-0 as 0, holes as null), so the live view equals the restored one.
      progress: async (pct, note) => {
        if (typeof pct !== 'number' || !Number.isFinite(pct) || pct < 0 || pct > 100)
          throw new ValidationError('progress', `pct must be a number from 0 to 100, got ${preview(pct)}`);
        if (note !== undefined && typeof note !== 'string') throw new ValidationError('progress', 'note must be a string');
        if (note !== undefined) checkJson('progress note', note);
        if (!alive()) return;
        await deps.submit({ type: 'attempt.progress', taskId: req.taskId, attempt: req.attempt, pct: pct + 0, ...(note !== undefined ? { note } : {}) });
      },
      checkpoint: async (state) => {
        const copy = checkJson('checkpoint', state);
        if (!alive()) throw new AttemptSupersededError(req.taskId, req.attempt);
        const stored = await deps.submit({ type: 'attempt.checkpoint', taskId: req.taskId, attempt: req.attempt, state: copy });
        if (stored !== true) throw new AttemptSupersededError(req.taskId, req.attempt);
      },
    };
  }

  /** Runs the handler (never in the caller's turn) and journals its outcome unless the attempt was aborted. */
  private async run(req: AttemptRequest, handler: Handler, task: TaskView, ctx: HandlerContext, abort: AttemptAbort): Promise<void> {
    try {
      await undefined;
      let outcome: Input | undefined;
      try {
        const output = await handler(task, ctx);
        outcome = abort.aborted ? undefined : succeeded(req, output);
      } catch (err: unknown) {
        outcome = abort.aborted ? undefined : failed(req, err);
      }
      if (outcome) await this.outcome(outcome);
    } catch (err: unknown) {
      // Neither branch throws (describing is guarded); this keeps a bug from becoming an unhandled rejection.
      this.deps.logger.error({ task: req.taskId, error: describeThrown(err) }, 'attempt outcome could not be handled');
    } finally {
      if (this.running.get(req.taskId)?.abort === abort) this.running.delete(req.taskId);
    }
  }

  verify(req: { taskId: string; attempt: number }): void {
    const task = this.deps.task(req.taskId);
    if (task?.status !== 'verifying') return;
    const verifier = this.deps.verifierFor(task.type);
    if (!verifier) {
      void this.outcome({
        type: 'verify.failed',
        taskId: req.taskId,
        attempt: req.attempt,
        reason: `no verifier is registered for task type ${JSON.stringify(task.type)}`,
      });
      return;
    }
    void Promise.resolve()
      .then(() => verifier(task))
      .then(readVerdict, (err: unknown) => ({ ok: false as const, reason: `the verifier threw: ${describeThrown(err).message}` }))
      .then((v) =>
        this.outcome(
          v.ok
            ? { type: 'verify.passed', taskId: req.taskId, attempt: req.attempt }
            : { type: 'verify.failed', taskId: req.taskId, attempt: req.attempt, reason: storableText(v.reason, maxErrorMessage) },
        ),
      )
      .catch((err: unknown) => this.deps.logger.error({ task: req.taskId, error: describeThrown(err) }, 'verification outcome could not be handled'));
  }

  abort(req: { taskId: string; attempt: number; reason: string }): void {
    const r = this.running.get(req.taskId);
    if (r && r.attempt === req.attempt) {
      this.running.delete(req.taskId);
      r.abort.abort(new Error(`attempt ${req.attempt} of task ${req.taskId} aborted: ${req.reason}`));
    }
  }

  /** Starts attempts that were waiting for this agent's handler. */
  unpark(agentId: string): void {
    const list = this.parked.get(agentId);
    this.parked.delete(agentId);
    for (const req of list ?? []) this.execute(req);
  }

  /**
   * Aborts every running attempt (the hive is closing) and waits up to `timeoutMs` for their
   * handlers to return. Resolves with how many were abandoned still running: their signals are
   * aborted, so their outcomes are dropped, and their tasks are re-dispatched on reopen.
   * @example const abandoned = await executor.abortAll('the hive is closing', 5000)
   */
  async abortAll(reason: string, timeoutMs: number): Promise<number> {
    const all = [...this.running.values()];
    this.running.clear();
    for (const r of all) r.abort.abort(new Error(reason));
    const pending = await settleWithin(
      all.map((r) => r.done),
      timeoutMs,
    );
    if (pending > 0)
      this.deps.logger.warn(
        { abandoned: pending, timeoutMs },
        'handlers still running after the close timeout were abandoned; their tasks are re-dispatched on the next open',
      );
    return pending;
  }

  private async outcome(input: Input): Promise<void> {
    try {
      await this.deps.submit(input);
    } catch (err) {
      // The hive closed or its store failed: the attempt has no recorded outcome and is re-dispatched on reopen.
      this.deps.logger.warn({ err, input: input.type }, 'attempt outcome not recorded');
    }
  }
}

/** The outcome of a handler's return value: its checked copy, or `bad_output` saying what is wrong. */
function succeeded(req: AttemptRequest, output: unknown): Input {
  const o = outputOutcome(output);
  return o.ok
    ? { type: 'attempt.succeeded', taskId: req.taskId, attempt: req.attempt, output: o.output }
    : { type: 'attempt.failed', taskId: req.taskId, attempt: req.attempt, error: o.error };
}

/** The outcome of what a handler threw: a refusal for TaskRejectedError, otherwise a failure described safely. */
function failed(req: AttemptRequest, err: unknown): Input {
  let rejected = false;
  try {
    rejected = err instanceof TaskRejectedError;
  } catch {
    // A Proxy whose getPrototypeOf throws is not a TaskRejectedError.
  }
  if (rejected) return { type: 'attempt.rejected', taskId: req.taskId, attempt: req.attempt, agentId: req.agentId, reason: describeThrown(err).message };
  return { type: 'attempt.failed', taskId: req.taskId, attempt: req.attempt, error: describeThrown(err) };
}
