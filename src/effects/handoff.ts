/**
 * @module handoff: the handler side of `ctx.handoff(agentId, state)`. A journaled `task.handoff`
 * asks the kernel, which decides from its own state: accepted, this attempt ends (its signal is
 * aborted, anything it returns is dropped) and the task continues on `agentId` with `state` as
 * `ctx.lastCheckpoint`; refused, this throws HandoffRefusedError and the attempt carries on.
 */
import type { Json } from '../../machines/types.js';
import { AttemptSupersededError, HandoffRefusedError } from '../errors.js';
import type { HandoffResult } from '../kernel/handoffInput.js';
import type { Input } from '../kernel/inputs.js';
import { checkId, checkJson } from '../validate.js';

export interface HandoffDeps {
  taskId: string;
  attempt: number;
  submit(input: Input): Promise<unknown>;
  /** False once the attempt was aborted or superseded. */
  alive(): boolean;
}

/**
 * Builds `ctx.handoff` for one attempt.
 * @example await ctx.handoff('reviewer', { draft }); return null // the reviewer continues from { draft }
 */
export function handoff(d: HandoffDeps): (agentId: string, state?: Json) => Promise<void> {
  return async (agentId, state = null) => {
    checkId('agentId', agentId);
    const copy = checkJson('state', state);
    if (!d.alive()) throw new AttemptSupersededError(d.taskId, d.attempt);
    const r = (await d.submit({ type: 'task.handoff', taskId: d.taskId, attempt: d.attempt, agentId, state: copy })) as HandoffResult;
    if (r.outcome === 'refused') throw new HandoffRefusedError(d.taskId, agentId, r.reason, r.detail);
    if (r.outcome === 'superseded') throw new AttemptSupersededError(d.taskId, d.attempt);
  };
}
