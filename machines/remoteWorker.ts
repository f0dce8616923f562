/**
 * @module The worker machine: the session of a remote worker process that runs one agent's work
 * over NATS (which process, on which host, whether it is there). Pure: what a join, leave or loss
 * does to the agent and its attempts is decided by the kernel's worker inputs.
 */
import { assign, emit, setup } from 'xstate';
import type { Notification } from './types.js';

/** One worker process: a fresh `instance` id per process start. */
export type RemoteSession = {
  instance: string;
  host: string;
  pid: number;
  /** Task types this worker can verify (its `verifiers`). */
  verifies: string[];
};

export interface RemoteWorkerInput extends RemoteSession {
  agentId: string;
  order: number;
  at: number;
}

export interface RemoteWorkerContext extends RemoteSession {
  agentId: string;
  order: number;
  joinedAt: number;
  updatedAt: number;
  /** Process starts seen for this agent (1 for the first). */
  sessions: number;
  /** The agent was paused because its worker left; a rejoin resumes it. */
  pausedAgent: boolean;
}

type At = { at: number };
export type RemoteWorkerEvent =
  | ({ type: 'worker.join' } & RemoteSession & At)
  | ({ type: 'worker.leave'; instance: string; pausedAgent: boolean } & At)
  | ({ type: 'worker.lost'; instance: string } & At);

export type RemoteWorkerNotification = Notification & { type: 'agent.joined' | 'agent.left' | 'agent.lost'; agentId: string; at: number };

/** Everything the worker machine emits: public notifications only. */
export type RemoteWorkerEmitted = RemoteWorkerNotification;

export const remoteWorkerMachine = setup({
  types: {
    context: {} as RemoteWorkerContext,
    input: {} as RemoteWorkerInput,
    events: {} as RemoteWorkerEvent,
    emitted: {} as RemoteWorkerEmitted,
  },
  guards: {
    sameInstance: ({ context, event }) => event.instance === context.instance,
  },
  actions: {
    join: assign(({ context, event }) => {
      const e = event as Extract<RemoteWorkerEvent, { type: 'worker.join' }>;
      const fresh = e.instance !== context.instance;
      return {
        instance: e.instance,
        host: e.host,
        pid: e.pid,
        verifies: e.verifies,
        sessions: context.sessions + (fresh ? 1 : 0),
        joinedAt: fresh ? e.at : context.joinedAt,
        pausedAgent: false,
        updatedAt: e.at,
      };
    }),
    note: emit(({ context, event }, params: { type: RemoteWorkerNotification['type'] }) => ({
      type: params.type,
      agentId: context.agentId,
      host: context.host,
      instance: context.instance,
      at: event.at,
    })),
  },
}).createMachine({
  id: 'remote',
  context: ({ input }) => {
    const { at, ...rest } = input;
    return { ...rest, joinedAt: at, updatedAt: at, sessions: 1, pausedAgent: false };
  },
  initial: 'online',
  entry: emit(({ context }) => ({
    type: 'agent.joined' as const,
    agentId: context.agentId,
    host: context.host,
    instance: context.instance,
    at: context.joinedAt,
  })),
  states: {
    online: {
      on: {
        'worker.join': { actions: ['join', { type: 'note', params: { type: 'agent.joined' } }] },
        'worker.leave': {
          guard: 'sameInstance',
          target: 'away',
          actions: [
            assign(({ event }) => ({ pausedAgent: (event as Extract<RemoteWorkerEvent, { type: 'worker.leave' }>).pausedAgent, updatedAt: event.at })),
            { type: 'note', params: { type: 'agent.left' } },
          ],
        },
        'worker.lost': {
          guard: 'sameInstance',
          target: 'lost',
          actions: [assign(({ event }) => ({ updatedAt: event.at })), { type: 'note', params: { type: 'agent.lost' } }],
        },
      },
    },
    away: { on: { 'worker.join': { target: 'online', actions: ['join', { type: 'note', params: { type: 'agent.joined' } }] } } },
    lost: { on: { 'worker.join': { target: 'online', actions: ['join', { type: 'note', params: { type: 'agent.joined' } }] } } },
  },
});
