/** @module The agent machine: availability, load, lineage and failure tracking of one agent. Pure. */
import { assign, emit, enqueueActions, setup } from 'xstate';
import { agentAddress } from './address.js';
import type { AgentPriority, Notification, ReleaseOutcome, TimerRequest } from './types.js';

export interface AgentInput {
  id: string;
  name: string;
  capabilities: string[];
  priority: AgentPriority;
  maxConcurrent: number;
  level: 1 | 2 | 3;
  parentId?: string;
  owner?: string;
  /** Consecutive failed attempts that put the agent in `error`. */
  failureThreshold: number;
  /** When set, the agent must call `heartbeat` at least this often or it goes to `error`. */
  heartbeatMs?: number;
  /** Automatic restarts out of `error` before it stays there for a person to resume. */
  maxRestarts: number;
  /** Backoff before the first automatic restart; doubles per restart. */
  restartBackoffMs: number;
  /**
   * Capabilities the process that holds the hive has a handler for (the agent's own, or hive-wide
   * handlers by type); only those are assigned to it. Undefined: all of them. A host fact, set by
   * journaled inputs (spawn, `hive.opened`, `agent.attach`) so that replay sees the same.
   */
  runnable?: string[];
  order: number;
  at: number;
}

export interface AgentContext extends Omit<AgentInput, 'at'> {
  load: number;
  tasks: string[];
  lastTaskAt: number;
  consecutiveFailures: number;
  succeeded: number;
  failed: number;
  createdAt: number;
  updatedAt: number;
  errorReason?: string;
  /** Automatic restarts since the agent last completed a task. */
  restarts: number;
  /** Channels it is subscribed to (`hive.subscribe`), in subscription order; `'*'` takes every broadcast. */
  channels?: string[];
}

type At = { at: number };
export type AgentEvent =
  | ({ type: 'hive.task.assigned'; taskId: string } & At)
  | ({ type: 'hive.task.released'; taskId: string; outcome: ReleaseOutcome } & At)
  | ({ type: 'agent.pause' } & At)
  | ({ type: 'agent.resume' } & At)
  | ({ type: 'agent.stop' } & At)
  | ({ type: 'agent.heartbeat' } & At)
  | ({ type: 'hive.heartbeat.missed' } & At)
  | ({ type: 'hive.agent.restart' } & At)
  /**
   * A process opened the hive: what it has handlers for, and the heartbeat window starts again
   * (nobody could beat while it was down).
   */
  | ({ type: 'hive.opened'; runnable?: string[] } & At)
  /** This process attached the agent's own handler: it can run every capability. */
  | ({ type: 'hive.handler.attached' } & At)
  | ({ type: 'channel.subscribe' | 'channel.unsubscribe'; channel: string } & At);

/** Messages the agent sends through the kernel: supervision asks the coordinator, a stop hands work back. */
export type AgentMessage =
  | { type: 'effect.escalate'; agentId: string; taskIds: string[]; reason: string }
  /** `failedAgent`: the agent failed (not stopped): a task with no capable backup is suspended instead. */
  | { type: 'effect.reassign'; taskIds: string[]; reason: string; failedAgent?: string };

export type AgentNotification = Notification & {
  type: 'agent.registered' | 'agent.failed' | 'agent.error' | 'agent.stopped' | 'agent.restarted';
  agentId: string;
  at: number;
};

/** Everything the agent machine emits. */
export type AgentEmitted = TimerRequest | AgentMessage | AgentNotification;

const heartbeatTimer = (id: string) => `${id}:heartbeat`;
const restartTimer = (id: string) => `${id}:restart`;

export const agentMachine = setup({
  types: {
    context: {} as AgentContext,
    input: {} as AgentInput,
    events: {} as AgentEvent,
    emitted: {} as AgentEmitted,
  },
  guards: {
    hasLoad: ({ context }) => context.load > 0,
    tooManyFailures: ({ context }) => context.consecutiveFailures >= context.failureThreshold,
  },
  actions: {
    touch: assign({ updatedAt: ({ event }) => event.at }),
    take: assign(({ context, event }) => {
      const e = event as Extract<AgentEvent, { type: 'hive.task.assigned' }>;
      return { load: context.load + 1, tasks: [...context.tasks, e.taskId], lastTaskAt: e.at, updatedAt: e.at };
    }),
    release: assign(({ context, event }) => {
      const e = event as Extract<AgentEvent, { type: 'hive.task.released' }>;
      if (!context.tasks.includes(e.taskId)) return { updatedAt: e.at };
      return {
        updatedAt: e.at,
        load: context.load - 1,
        tasks: context.tasks.filter((t) => t !== e.taskId),
        succeeded: context.succeeded + (e.outcome === 'succeeded' ? 1 : 0),
        failed: context.failed + (e.outcome === 'failed' ? 1 : 0),
        consecutiveFailures: e.outcome === 'failed' ? context.consecutiveFailures + 1 : e.outcome === 'succeeded' ? 0 : context.consecutiveFailures,
        restarts: e.outcome === 'succeeded' ? 0 : context.restarts,
      };
    }),
    restart: assign(({ context, event }) => ({ consecutiveFailures: 0, errorReason: undefined, restarts: context.restarts + 1, updatedAt: event.at })),
    recover: assign(({ event }) => ({ consecutiveFailures: 0, errorReason: undefined, updatedAt: event.at })),
    armHeartbeat: enqueueActions(({ context, event, enqueue }) => {
      if (context.heartbeatMs === undefined) return;
      enqueue.emit({
        type: 'effect.timer.set',
        timerId: heartbeatTimer(context.id),
        // Entering the first state, the event is XState's init (no `at`): the window starts at registration.
        due: ((event as { at?: number }).at ?? context.createdAt) + context.heartbeatMs,
        target: agentAddress(context.id),
        event: { type: 'hive.heartbeat.missed' },
      });
    }),
    armRestart: enqueueActions(({ context, event, enqueue }) => {
      if (context.restarts >= context.maxRestarts) return;
      enqueue.emit({
        type: 'effect.timer.set',
        timerId: restartTimer(context.id),
        due: event.at + context.restartBackoffMs * 2 ** context.restarts,
        target: agentAddress(context.id),
        event: { type: 'hive.agent.restart' },
      });
    }),
    setRunnable: assign(({ event }) => ({ runnable: (event as Extract<AgentEvent, { type: 'hive.opened' }>).runnable })),
    disarmRestart: emit(({ context }) => ({ type: 'effect.timer.cancel', timerId: restartTimer(context.id) })),
    disarmHeartbeat: enqueueActions(({ context, enqueue }) => {
      if (context.heartbeatMs !== undefined) enqueue.emit({ type: 'effect.timer.cancel', timerId: heartbeatTimer(context.id) });
    }),
    notifyRestart: emit(({ context, event }) => ({ type: 'agent.restarted', agentId: context.id, at: event.at, restarts: context.restarts })),
    fail: enqueueActions(({ context, event, enqueue }, params: { reason: string }) => {
      enqueue.assign({ errorReason: params.reason, updatedAt: event.at });
      enqueue.emit({ type: 'agent.failed', agentId: context.id, at: event.at, reason: params.reason });
      // Supervision: the coordinator decides what happens to the work this agent holds.
      enqueue.emit({ type: 'effect.escalate', agentId: context.id, taskIds: context.tasks, reason: params.reason });
    }),
  },
}).createMachine({
  id: 'agent',
  context: ({ input }) => {
    const { at, ...rest } = input;
    return { ...rest, load: 0, tasks: [], lastTaskAt: 0, consecutiveFailures: 0, succeeded: 0, failed: 0, restarts: 0, createdAt: at, updatedAt: at };
  },
  initial: 'idle',
  entry: [emit(({ context }) => ({ type: 'agent.registered', agentId: context.id, name: context.name, at: context.createdAt })), 'armHeartbeat'],
  on: {
    // In `error` too: no heartbeat to arm there, but availability still follows the process.
    'hive.opened': { actions: 'setRunnable' },
    'hive.handler.attached': { actions: 'setRunnable' },
    'channel.subscribe': {
      actions: assign(({ context, event }) =>
        context.channels?.includes(event.channel) ? {} : { channels: [...(context.channels ?? []), event.channel], updatedAt: event.at },
      ),
    },
    'channel.unsubscribe': {
      actions: assign(({ context, event }) => {
        const left = (context.channels ?? []).filter((c) => c !== event.channel);
        return left.length === (context.channels ?? []).length ? {} : { channels: left.length > 0 ? left : undefined, updatedAt: event.at };
      }),
    },
    'agent.stop': {
      target: '.stopped',
      actions: [
        'touch',
        'disarmHeartbeat',
        emit(({ context }) => ({ type: 'effect.reassign', taskIds: context.tasks, reason: `agent ${context.id} stopped` })),
        emit(({ context, event }) => ({ type: 'agent.stopped', agentId: context.id, at: event.at })),
      ],
    },
  },
  states: {
    idle: {
      on: {
        'hive.task.assigned': { target: 'busy', actions: 'take' },
        'hive.task.released': { actions: 'release' },
        'agent.pause': { target: 'paused', actions: 'touch' },
        'agent.heartbeat': { actions: ['touch', 'armHeartbeat'] },
        'hive.opened': { actions: ['setRunnable', 'armHeartbeat'] },
        'hive.heartbeat.missed': { target: 'error', actions: { type: 'fail', params: { reason: 'missed heartbeat' } } },
      },
    },
    busy: {
      always: { guard: ({ context }) => context.load === 0, target: 'idle' },
      on: {
        'hive.task.assigned': { actions: 'take' },
        'hive.task.released': [
          {
            target: 'error',
            guard: ({ context, event }) =>
              event.outcome === 'failed' && context.tasks.includes(event.taskId) && context.consecutiveFailures + 1 >= context.failureThreshold,
            actions: ['release', { type: 'fail', params: { reason: 'too many consecutive failures' } }],
          },
          { actions: 'release' },
        ],
        'agent.pause': { target: 'paused', actions: 'touch' },
        'agent.heartbeat': { actions: ['touch', 'armHeartbeat'] },
        'hive.opened': { actions: ['setRunnable', 'armHeartbeat'] },
        'hive.heartbeat.missed': { target: 'error', actions: { type: 'fail', params: { reason: 'missed heartbeat' } } },
      },
    },
    paused: {
      on: {
        'hive.task.released': { actions: 'release' },
        'agent.resume': [
          { guard: 'hasLoad', target: 'busy', actions: 'touch' },
          { target: 'idle', actions: 'touch' },
        ],
        'agent.heartbeat': { actions: ['touch', 'armHeartbeat'] },
        'hive.opened': { actions: ['setRunnable', 'armHeartbeat'] },
      },
    },
    error: {
      // Supervision: restart automatically after a backoff, a limited number of times.
      entry: [emit(({ context, event }) => ({ type: 'agent.error', agentId: context.id, at: event.at })), 'armRestart'],
      exit: 'disarmRestart',
      on: {
        'hive.agent.restart': [
          {
            guard: 'hasLoad',
            target: 'busy',
            actions: ['restart', 'armHeartbeat', 'notifyRestart'],
          },
          {
            target: 'idle',
            actions: ['restart', 'armHeartbeat', 'notifyRestart'],
          },
        ],
        'hive.task.released': { actions: 'release' },
        'agent.resume': [
          { guard: 'hasLoad', target: 'busy', actions: ['recover', 'armHeartbeat'] },
          { target: 'idle', actions: ['recover', 'armHeartbeat'] },
        ],
        'agent.heartbeat': { target: 'idle', actions: [assign(({ event }) => ({ errorReason: undefined, updatedAt: event.at })), 'armHeartbeat'] },
      },
    },
    stopped: { type: 'final' },
  },
});
