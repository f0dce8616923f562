/** @module statelyMessages: turns inspection records into @statelyai/inspect messages (`@xstate.actor`, `@xstate.event`, `@xstate.snapshot`). */
import type { AnyStateMachine } from 'xstate';
import { agentMachine } from '../../machines/agent.js';
import { colonyMachine } from '../../machines/colony.js';
import { auctionMachine } from '../../machines/auction.js';
import { learnerMachine } from '../../machines/learner.js';
import { insightsMachine } from '../../machines/insights.js';
import { coordinatorMachine } from '../../machines/coordinator.js';
import { rateLimitMachine } from '../../machines/rateLimit.js';
import { scheduleMachine } from '../../machines/schedule.js';
import { taskMachine } from '../../machines/task.js';
import { workerMachine } from '../../machines/worker.js';
import { remoteWorkerMachine } from '../../machines/remoteWorker.js';
import { messageMachine } from '../../machines/message.js';
import { sessionMachine } from '../../machines/session.js';
import { coordinatorAddress } from '../../machines/types.js';
import type { InspectionRecord, MachineName } from '../kernel/InspectionRecord.js';

/** The @statelyai/inspect message format version we produce (its package version, which it stamps in `_version`). */
export const statelyInspectVersion = '0.7.2';

export const machinesByName: Record<MachineName, AnyStateMachine> = {
  task: taskMachine,
  agent: agentMachine,
  coordinator: coordinatorMachine,
  colony: colonyMachine,
  worker: workerMachine,
  schedule: scheduleMachine,
  ratelimit: rateLimitMachine,
  remote: remoteWorkerMachine,
  auction: auctionMachine,
  learner: learnerMachine,
  message: messageMachine,
  session: sessionMachine,
  insights: insightsMachine,
};

interface Base {
  sessionId: string;
  rootId: string | undefined;
  createdAt: string;
  id: string | null;
  _version: string;
}
export type StatelyActorMessage = Base & {
  type: '@xstate.actor';
  name: string;
  definition: string | undefined;
  parentId: string | undefined;
  snapshot: StatelySnapshot;
};
export type StatelyEventMessage = Base & { type: '@xstate.event'; event: { type: string; [k: string]: unknown }; sourceId: string | undefined };
export type StatelySnapshotMessage = Base & { type: '@xstate.snapshot'; event: { type: string; [k: string]: unknown }; snapshot: StatelySnapshot };
export type StatelyMessage = StatelyActorMessage | StatelyEventMessage | StatelySnapshotMessage;
export interface StatelySnapshot {
  status: 'active' | 'done' | 'error' | 'stopped';
  value: unknown;
  context?: unknown;
}

const definitions = new Map<MachineName, string>();

/**
 * A machine's definition as @statelyai/inspect sends it: its config as JSON, functions replaced
 * by `{ type: name }`.
 * @example JSON.parse(machineDefinition('task')).id === 'task'
 */
export function machineDefinition(name: MachineName): string {
  let d = definitions.get(name);
  if (d === undefined) {
    d = stableStringify(machinesByName[name].config);
    definitions.set(name, d);
  }
  return d;
}

/** JSON with sorted keys and functions as `{ type: name }`, as @statelyai/inspect serialises definitions. */
function stableStringify(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (typeof v === 'function') return { type: (v as { name: string }).name };
    if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : norm(x)));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = norm(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(norm(value));
}

/**
 * Converts one inspection record into Stately messages (none for records Stately has no form for,
 * such as checkpoints). `contextOf` may supply an actor's current context for snapshots.
 * @example hive.inspect((r) => toStatelyMessages(r).forEach((m) => socket.send(JSON.stringify(m))))
 */
export function toStatelyMessages(r: InspectionRecord, contextOf?: (address: string) => unknown): StatelyMessage[] {
  const base = (sessionId: string): Base => ({ sessionId, rootId: coordinatorAddress, createdAt: String(r.at), id: null, _version: statelyInspectVersion });
  const withContext = (address: string, s: StatelySnapshot): StatelySnapshot => {
    const context = contextOf?.(address);
    return context === undefined ? s : { ...s, context };
  };
  switch (r.kind) {
    case 'actor.created':
    case 'actor.restored':
      return [
        {
          ...base(r.address),
          type: '@xstate.actor',
          name: String(machinesByName[r.machine].config.id ?? r.machine),
          definition: machineDefinition(r.machine),
          parentId: r.parent === '' ? undefined : r.parent,
          snapshot: withContext(r.address, { status: 'active', value: r.state }),
        },
      ];
    case 'message':
      return [{ ...base(r.to), type: '@xstate.event', event: r.event, sourceId: r.from.includes(':') || r.from === coordinatorAddress ? r.from : undefined }];
    case 'transition':
      return [{ ...base(r.address), type: '@xstate.snapshot', event: r.event, snapshot: withContext(r.address, { status: 'active', value: r.to }) }];
    case 'actor.passivated':
      return [{ ...base(r.address), type: '@xstate.snapshot', event: { type: 'hive.passivated' }, snapshot: { status: 'done', value: r.state } }];
    case 'actor.stopped':
      return [{ ...base(r.address), type: '@xstate.snapshot', event: { type: 'hive.stopped' }, snapshot: { status: 'stopped', value: r.state } }];
    default:
      return [];
  }
}
