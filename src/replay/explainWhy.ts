/**
 * @module explainWhy: the chain of causes that led an actor to its final state, read from actor
 * histories: which API call created it, which agent was chosen and why, which attempts failed and
 * which retries and timeouts followed, and, through a failed dependency, why that one failed.
 */
import { compareAgents, type AgentCandidate } from '../../machines/coordinator.js';
import type { HistoryEntry } from './actorHistory.js';

/** One link of the chain. `depth` > 0 for links inside a dependency's own chain. */
export interface WhyStep {
  seq: number;
  at: number;
  address: string;
  depth: number;
  text: string;
}

export interface WhyReport {
  address: string;
  /** The actor's last state value (undefined when it never existed in the replayable range). */
  status: string | undefined;
  steps: WhyStep[];
}

/** What explaining needs from the replay session. */
export interface WhyContext {
  history(address: string): Promise<HistoryEntry[]>;
  /** Every agent's state right before input `seq` was applied. */
  agentsBefore(seq: number): Promise<Array<{ id: string; status: string; context: Record<string, unknown> }>>;
}

const maxDepth = 8;

/**
 * Explains how `address` reached its final state.
 * @example for (const s of (await explainWhy(ctx, 'task:build-1')).steps) console.log(' '.repeat(s.depth * 2) + s.text)
 */
export async function explainWhy(ctx: WhyContext, address: string): Promise<WhyReport> {
  const steps: WhyStep[] = [];
  const history = await ctx.history(address);
  await explain(ctx, address, history, 0, steps, new Set([address]));
  return { address, status: history.at(-1)?.after.value, steps };
}

async function explain(ctx: WhyContext, address: string, history: HistoryEntry[], depth: number, steps: WhyStep[], seen: Set<string>): Promise<void> {
  const add = (e: HistoryEntry, text: string) => steps.push({ seq: e.seq, at: e.at, address, depth, text });
  // Context fields are only those that changed, so keep the latest value of each as we go.
  const known: Record<string, unknown> = {};
  for (const e of history) {
    Object.assign(known, e.after.context);
    const to = e.after.value;
    const attempt = known.attempt as number | undefined;
    const agent = String(known.assignedTo);
    const before = steps.length;
    for (const m of e.cause.messages) {
      switch (m.event) {
        case 'created': {
          const waiting = (e.after.context.waitingOn as string[] | undefined) ?? [];
          add(e, `created by ${e.input.type} (input #${e.seq})${waiting.length ? `, waiting on ${waiting.join(', ')}` : ''}`);
          break;
        }
        case 'hive.dependency.settled': {
          const dep = dependencyOf(e, m.from);
          if (!dep) break;
          const failed = (e.after.context.error as { code?: string } | undefined)?.code === 'dependency_failed';
          add(e, failed ? `dependency ${dep} did not succeed, so this task failed (${errorText(known.error)})` : `dependency ${dep} finished`);
          if (failed && depth < maxDepth && !seen.has(dep)) {
            seen.add(dep);
            await explain(ctx, dep, await ctx.history(dep), depth + 1, steps, seen);
          }
          break;
        }
        case 'hive.retry':
          add(e, `retry timer fired: back in the queue for attempt ${(attempt ?? 0) + (to === 'pending' ? 1 : 0)}`);
          break;
        case 'hive.assign':
          add(e, `attempt ${attempt} assigned to agent ${agent} by the coordinator: ${await whyAgent(ctx, e, known)}`);
          break;
        case 'hive.start':
          add(e, `attempt ${attempt} started on agent ${agent}`);
          break;
        case 'attempt.failed':
          add(e, `attempt ${attempt} failed: ${errorText(known.error)}${retryText(to, known)}`);
          break;
        case 'hive.timeout':
          add(e, `attempt ${attempt} timed out (timeoutMs ${String((known.spec as { timeoutMs?: number } | undefined)?.timeoutMs)})${retryText(to, known)}`);
          break;
        case 'verify.failed':
          add(e, `verification of attempt ${attempt} failed: ${errorText(known.error)}${retryText(to, known)}`);
          break;
        case 'verify.passed':
          add(e, `verification of attempt ${attempt} passed`);
          break;
        case 'attempt.rejected':
          add(
            e,
            `agent ${'agentId' in e.input ? e.input.agentId : '?'} rejected attempt ${attempt}: ${errorText(known.error)}${to === 'rejected' ? '; no capable agent was left' : ''}`,
          );
          break;
        case 'attempt.lost':
          add(e, `attempt ${attempt} was lost (the hive stopped while it ran); it goes back to the queue`);
          break;
        case 'hive.reassign':
          add(e, 'taken back from its agent by the coordinator (the agent failed or stopped); back in the queue');
          break;
        case 'task.cancel':
          add(e, `cancelled by an API call${'by' in e.input && e.input.by ? ` by ${e.input.by}` : ''}`);
          break;
        case 'attempt.succeeded':
          add(e, `attempt ${attempt} succeeded${to === 'verifying' ? '; verification runs next' : ''}`);
          break;
        case 'hive.urgent':
          add(e, 'its deadline is near: priority raised');
          break;
        case 'hive.suspend':
          add(
            e,
            `suspended and escalated: ${String((known.escalation as { reason?: string } | undefined)?.reason ?? 'its agent failed with no capable backup')}`,
          );
          break;
        case 'hive.resume':
          add(e, 'a capable agent appeared: back in the queue, resuming from its last checkpoint');
          break;
        case 'hive.overdue':
          add(e, `escalated: ${String((known.escalation as { reason?: string } | undefined)?.reason ?? 'still waiting at its deadline')}`);
          break;
        case 'hive.boost': {
          const lent = (e.after.context.inherited as Record<string, number> | undefined)?.[m.from.replace(/^task:/, '')];
          add(e, lent === undefined ? `${m.from} no longer waits on it: its lent priority is taken back` : `${m.from} waits on it: inherits priority ${lent}`);
          break;
        }
      }
    }
    if (steps.length === before && e.before && e.before.value !== to)
      add(e, `${e.before.value} -> ${to} (${e.cause.messages.map((m) => `${m.event} from ${m.from}`).join(', ')}; input #${e.seq} ${e.input.type})`);
  }
  const last = history.at(-1);
  if (last)
    steps.push({
      seq: last.seq,
      at: last.at,
      address,
      depth,
      text: `final state: ${last.after.value}${known.error && last.after.value !== 'completed' && last.after.value !== 'verified' ? ` (${errorText(known.error)})` : ''}`,
    });
  else steps.push({ seq: 0, at: 0, address, depth, text: 'no history: the actor does not exist in the replayable part of the run' });
}

function dependencyOf(e: HistoryEntry, from: string): string | undefined {
  if (from.startsWith('task:')) return from;
  // A dependency that had already failed when the task was posted is reported by the kernel itself.
  const message = (e.after.context.error as { message?: string } | undefined)?.message;
  const m = message && /^dependency (\S+) ended/.exec(message);
  return m ? `task:${m[1]}` : undefined;
}

function errorText(error: unknown): string {
  const e = error as { code?: string; message?: string } | undefined;
  return e ? `${e.code}: ${e.message}` : 'no error recorded';
}

function retryText(to: string, known: Record<string, unknown>): string {
  if (to === 'retrying')
    return `; retry ${String(known.failures)} of ${String((known.spec as { maxRetries?: number } | undefined)?.maxRetries)} at ${new Date(known.retryAt as number).toISOString()}`;
  if (to === 'failed' || to === 'timed_out') return `; no retries left (maxRetries ${String((known.spec as { maxRetries?: number } | undefined)?.maxRetries)})`;
  return '';
}

/** Why the coordinator chose this agent: the ranking among the free capable agents just before the input. */
async function whyAgent(ctx: WhyContext, e: HistoryEntry, known: Record<string, unknown>): Promise<string> {
  const chosen = String(known.assignedTo);
  const capability = (known.spec as { type?: string } | undefined)?.type ?? '';
  const excluded = (known.excluded as string[] | undefined) ?? [];
  const agents = (await ctx.agentsBefore(e.seq)).filter((a) => ((a.context.capabilities as string[] | undefined) ?? []).includes(capability));
  const describe = (a: { id: string; status: string; context: Record<string, unknown> }) =>
    `${a.id} (${a.status}, ${String(a.context.priority)} priority, load ${String(a.context.load)}/${String(a.context.maxConcurrent)}${excluded.includes(a.id) ? ', excluded: it rejected this task' : ''})`;
  const ranked = [...agents].sort((a, b) => compareAgents(candidate(a), candidate(b)));
  return `the best free agent with capability ${JSON.stringify(capability)}, ranked by agent priority, then load, then least recently used, then registration order; before this input: ${ranked.map(describe).join(', ') || 'none'}${ranked[0]?.id !== chosen ? ` (${chosen} became free during input #${e.seq})` : ''}`;
}

function candidate(a: { id: string; status: string; context: Record<string, unknown> }): AgentCandidate {
  const c = a.context;
  return {
    id: a.id,
    status: a.status,
    priority: c.priority as AgentCandidate['priority'],
    load: c.load as number,
    maxConcurrent: c.maxConcurrent as number,
    lastTaskAt: c.lastTaskAt as number,
    order: c.order as number,
  };
}
