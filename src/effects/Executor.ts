/**
 * @module Executor: runs handler attempts and verifications, and turns each outcome into a journaled
 * input. It is the only place agent work happens; it never changes state directly.
 */
import type { Logger } from 'pino';
import { AttemptSupersededError, TaskRejectedError, ValidationError } from '../errors.js';
import type { EffectRunner } from '../kernel/Kernel.js';
import type { Input } from '../kernel/inputs.js';
import { checkJson } from '../validate.js';
import { describeError, outputOutcome, readVerdict } from './outcomes.js';
import type { TaskView } from '../views.js';
import type { Handler, HandlerContext, Verifier } from './types.js';

export interface ExecutorDeps {
  submit(input: Input): Promise<unknown>;
  task(id: string): TaskView | undefined;
  handlerFor(agentId: string, taskType: string): Handler | undefined;
  verifierFor(taskType: string): Verifier | undefined;
  logger: Logger;
}

interface Running {
  attempt: number;
  controller: AbortController;
  done: Promise<void>;
}

export class Executor implements EffectRunner {
  private readonly running = new Map<string, Running>();
  /** Attempts whose agent has no handler yet, by agent id; they start when one is attached. */
  private readonly parked = new Map<string, Array<{ taskId: string; attempt: number; agentId: string }>>();

  constructor(private readonly deps: ExecutorDeps) {}

  execute(req: { taskId: string; attempt: number; agentId: string }): void {
    const task = this.deps.task(req.taskId);
    if (!task || task.status !== 'running' || task.attempts !== req.attempt) return;
    const handler = this.deps.handlerFor(req.agentId, task.type);
    if (!handler) {
      this.deps.logger.warn({ task: req.taskId, agent: req.agentId, type: task.type }, 'no handler for this agent and task type yet; the attempt waits until one is attached');
      const list = this.parked.get(req.agentId) ?? [];
      list.push(req);
      this.parked.set(req.agentId, list);
      return;
    }
    const controller = new AbortController();
    const logger = this.deps.logger.child({ task: req.taskId, attempt: req.attempt, agent: req.agentId });
    const alive = () => !controller.signal.aborted;
    const ctx: HandlerContext = {
      signal: controller.signal,
      attempt: req.attempt,
      agentId: req.agentId,
      taskId: req.taskId,
      lastCheckpoint: task.checkpoint,
      logger,
      progress: async (pct, note) => {
        if (typeof pct !== 'number' || !Number.isFinite(pct) || pct < 0 || pct > 100) throw new ValidationError('progress', `pct must be a number from 0 to 100, got ${String(pct)}`);
        if (note !== undefined && typeof note !== 'string') throw new ValidationError('progress', 'note must be a string');
        if (note !== undefined) checkJson('progress note', note);
        if (!alive()) return;
        await this.deps.submit({ type: 'attempt.progress', taskId: req.taskId, attempt: req.attempt, pct, ...(note !== undefined ? { note } : {}) });
      },
      checkpoint: async (state) => {
        checkJson('checkpoint', state);
        if (!alive()) throw new AttemptSupersededError(req.taskId, req.attempt);
        const stored = await this.deps.submit({ type: 'attempt.checkpoint', taskId: req.taskId, attempt: req.attempt, state });
        if (stored !== true) throw new AttemptSupersededError(req.taskId, req.attempt);
      },
    };
    const done = Promise.resolve()
      .then(() => handler(task, ctx))
      .then(
        (output) => {
          if (!alive()) return;
          const o = outputOutcome(output);
          if (!o.ok) return this.outcome({ type: 'attempt.failed', taskId: req.taskId, attempt: req.attempt, error: o.error });
          return this.outcome({ type: 'attempt.succeeded', taskId: req.taskId, attempt: req.attempt, output: o.output });
        },
        (err: unknown) => {
          if (!alive()) return;
          if (err instanceof TaskRejectedError) {
            return this.outcome({ type: 'attempt.rejected', taskId: req.taskId, attempt: req.attempt, agentId: req.agentId, reason: err.message });
          }
          return this.outcome({ type: 'attempt.failed', taskId: req.taskId, attempt: req.attempt, error: describeError(err) });
        },
      )
      .finally(() => {
        if (this.running.get(req.taskId)?.controller === controller) this.running.delete(req.taskId);
      });
    this.running.set(req.taskId, { attempt: req.attempt, controller, done });
  }

  verify(req: { taskId: string; attempt: number }): void {
    const task = this.deps.task(req.taskId);
    if (!task || task.status !== 'verifying') return;
    const verifier = this.deps.verifierFor(task.type);
    if (!verifier) {
      void this.outcome({ type: 'verify.failed', taskId: req.taskId, attempt: req.attempt, reason: `no verifier is registered for task type ${JSON.stringify(task.type)}` });
      return;
    }
    void Promise.resolve()
      .then(() => verifier(task))
      .then(
        (verdict) => {
          const v = readVerdict(verdict);
          return this.outcome(v.ok ? { type: 'verify.passed', taskId: req.taskId, attempt: req.attempt } : { type: 'verify.failed', taskId: req.taskId, attempt: req.attempt, reason: v.reason });
        },
        (err: unknown) => this.outcome({ type: 'verify.failed', taskId: req.taskId, attempt: req.attempt, reason: `the verifier threw: ${(err as Error)?.message ?? String(err)}` }),
      );
  }

  abort(req: { taskId: string; attempt: number; reason: string }): void {
    const r = this.running.get(req.taskId);
    if (r && r.attempt === req.attempt) {
      this.running.delete(req.taskId);
      r.controller.abort(new Error(`attempt ${req.attempt} of task ${req.taskId} aborted: ${req.reason}`));
    }
  }

  /** Starts attempts that were waiting for this agent's handler. */
  unpark(agentId: string): void {
    const list = this.parked.get(agentId);
    this.parked.delete(agentId);
    for (const req of list ?? []) this.execute(req);
  }

  /** Aborts every running attempt (the hive is closing); their tasks are re-dispatched on reopen. */
  async abortAll(reason: string): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    for (const r of all) r.controller.abort(new Error(reason));
    await Promise.allSettled(all.map((r) => r.done));
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
