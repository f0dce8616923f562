/**
 * @module The colony machine: a queen that spawns worker clones, keeps its triggers and shared
 * context, and schedules its timer triggers as durable timers. Pure: worker ids come from its own
 * counter, time from `event.at`; creating workers and stopping them are emitted requests. Its queue
 * and concurrency are kept by the kernel beside the worker actors (they change on every worker).
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import { colonyAddress } from './address.js';
import type { Json, TimerRequest } from './types.js';

export interface ColonySpec {
  id: string;
  name: string;
  capabilities: string[];
  maxConcurrentWorkers: number;
  maxResurrections: number;
  /** Finished workers kept: at most `max`, none older than `ttlMs` (when set). */
  retention: { max: number; ttlMs?: number };
  owner?: string;
  order: number;
  createdAt: number;
}

export interface ColonyInput extends Omit<ColonySpec, 'createdAt'> {
  at: number;
}

export type TriggerSpec =
  | { id: string; kind: 'timer'; everyMs: number; task: string; input: Json; runImmediately: boolean; skipWhileBusy: boolean }
  | { id: string; kind: 'webhook'; path: string; secret: string; task: string }
  | { id: string; kind: 'api'; task: string };

/** A trigger as the colony keeps it: its spec, when it was added, the last timer slot taken and what it spawned. */
export type TriggerState = TriggerSpec & { addedAt: number; lastSlot?: number; fired: number; lastFiredAt?: number };

export interface ColonyContext {
  spec: ColonySpec;
  /** Workers spawned so far; the next one is `w-<nextWorker + 1>`. */
  nextWorker: number;
  triggers: Record<string, TriggerState>;
  timersPaused: boolean;
  /** Shared context set with `setContext`, inherited by workers spawned with `inheritContext`. */
  shared?: Json;
  /** The unfinished overseer, if one was started. */
  overseerId?: string;
  finished: number;
  lastActivityAt: number;
  stoppedAt?: number;
  updatedAt: number;
}

/** One worker to spawn. */
export interface SpawnRequest {
  task: string;
  input: Json;
  triggerId?: string;
  /** The timer slot that spawned it. */
  slot?: number;
}

type At = { at: number };
export type ColonyEvent =
  | ({ type: 'worker.spawn'; workers: SpawnRequest[]; inherit?: boolean; notify?: boolean; overseer?: 'shared' | 'own' } & At)
  | ({ type: 'colony.context'; context: Json } & At)
  | ({ type: 'colony.trigger.add'; trigger: TriggerSpec } & At)
  | ({ type: 'colony.trigger.remove'; triggerId: string } & At)
  | ({ type: 'colony.timers'; paused: boolean } & At)
  | ({ type: 'colony.stop' } & At)
  | ({ type: 'hive.trigger.due'; triggerId: string; slot: number } & At)
  | ({ type: 'hive.worker.finished'; workerId: string } & At)
  | ({ type: 'hive.colony.retention' } & At);

/** A worker the colony asks the kernel to create (the kernel adds the overseer's message count for `inherit`). */
export interface WorkerCreation {
  id: string;
  task: string;
  input: Json;
  order: number;
  triggerId?: string;
}

/** Requests the kernel carries out beside the colony: create workers, stop them, prune, a timer slot is due. */
export type ColonyMessage =
  | {
      type: 'effect.worker.create';
      colonyId: string;
      workers: WorkerCreation[];
      maxResurrections: number;
      inherit: boolean;
      notify: boolean;
      overseer?: 'shared' | 'own';
    }
  | { type: 'effect.colony.stop'; colonyId: string }
  | { type: 'effect.colony.retention'; colonyId: string }
  | { type: 'effect.trigger.due'; colonyId: string; triggerId: string; slot: number; skipWhileBusy: boolean; task: string; input: Json };

export type ColonyNotification = {
  type: 'colony.spawned' | 'colony.stopped' | 'trigger.fired' | 'trigger.skipped';
  colonyId: string;
  at: number;
  name?: string;
  triggerId?: string;
  workerId?: string;
  slot?: number;
  reason?: string;
};

export type ColonyEmitted = TimerRequest | ColonyMessage | ColonyNotification;

export const triggerTimerId = (colonyId: string, triggerId: string) => `colony:${colonyId}:trigger:${triggerId}`;
export const retentionTimerId = (colonyId: string) => `colony:${colonyId}:retention`;
export const workerIdFor = (n: number) => `w-${n}`;

/** When slot `slot` of a timer trigger is due: slot 0 is the moment it was added. */
export const slotDue = (t: { addedAt: number; everyMs: number }, slot: number) => t.addedAt + slot * t.everyMs;

/**
 * The next slot to arm: after `last`, and not one already past at `at` (slots missed while the hive
 * was down or paused are skipped, never fired late in a burst).
 * @example nextSlot({ addedAt: 0, everyMs: 10 }, 25, 1) // 3
 */
export function nextSlot(t: { addedAt: number; everyMs: number }, at: number, last: number): number {
  return Math.max(last + 1, Math.floor((at - t.addedAt) / t.everyMs) + 1);
}

const armSlot = (colonyId: string, t: TriggerState & { kind: 'timer' }, slot: number): TimerRequest => ({
  type: 'effect.timer.set',
  timerId: triggerTimerId(colonyId, t.id),
  due: slotDue(t, slot),
  target: colonyAddress(colonyId),
  event: { type: 'hive.trigger.due', triggerId: t.id, slot },
});

type Ev<T extends ColonyEvent['type']> = Extract<ColonyEvent, { type: T }>;

export const colonyMachine = setup({
  types: {
    context: {} as ColonyContext,
    input: {} as ColonyInput,
    events: {} as ColonyEvent,
    emitted: {} as ColonyEmitted,
  },
  guards: {
    /** A timer slot fires once: only a slot after the last one taken, of a timer trigger that is armed. */
    slotIsNew: ({ context, event }) => {
      const e = event as Ev<'hive.trigger.due'>;
      const t = Object.hasOwn(context.triggers, e.triggerId) ? context.triggers[e.triggerId] : undefined;
      return t?.kind === 'timer' && !context.timersPaused && (t.lastSlot === undefined || e.slot > t.lastSlot);
    },
  },
}).createMachine({
  id: 'colony',
  context: ({ input }) => {
    const { at, ...spec } = input;
    return { spec: { ...spec, createdAt: at }, nextWorker: 0, triggers: {}, timersPaused: false, finished: 0, lastActivityAt: at, updatedAt: at };
  },
  initial: 'running',
  entry: emit(({ context }) => ({ type: 'colony.spawned' as const, colonyId: context.spec.id, name: context.spec.name, at: context.spec.createdAt })),
  on: {
    'hive.worker.finished': {
      actions: assign(({ context, event }) => ({
        finished: context.finished + 1,
        lastActivityAt: event.at,
        updatedAt: event.at,
        ...(context.overseerId === event.workerId ? { overseerId: undefined } : {}),
      })),
    },
    'hive.colony.retention': { actions: emit(({ context }) => ({ type: 'effect.colony.retention' as const, colonyId: context.spec.id })) },
  },
  states: {
    running: {
      on: {
        'worker.spawn': {
          // One overseer at a time: a second request while one is unfinished spawns nothing.
          guard: ({ context, event }) => event.overseer === undefined || context.overseerId === undefined,
          actions: enqueueActions(({ context, event, enqueue }) => {
            const colonyId = context.spec.id;
            const workers: WorkerCreation[] = event.workers.map((w, i) => {
              const n = context.nextWorker + i + 1;
              return { id: workerIdFor(n), task: w.task, input: w.input, order: n, ...(w.triggerId !== undefined ? { triggerId: w.triggerId } : {}) };
            });
            const triggers = { ...context.triggers };
            for (const w of workers) {
              if (w.triggerId === undefined || !Object.hasOwn(triggers, w.triggerId)) continue;
              const t = triggers[w.triggerId]!;
              triggers[w.triggerId] = { ...t, fired: t.fired + 1, lastFiredAt: event.at };
            }
            enqueue.assign({
              nextWorker: context.nextWorker + workers.length,
              triggers,
              lastActivityAt: event.at,
              updatedAt: event.at,
              ...(event.overseer ? { overseerId: workers[0]!.id } : {}),
            });
            enqueue.emit({
              type: 'effect.worker.create',
              colonyId,
              workers,
              maxResurrections: context.spec.maxResurrections,
              inherit: event.inherit === true,
              notify: event.notify === true,
              ...(event.overseer !== undefined ? { overseer: event.overseer } : {}),
            });
            event.workers.forEach((w, i) => {
              if (w.triggerId === undefined) return;
              const fired: ColonyNotification = { type: 'trigger.fired', colonyId, triggerId: w.triggerId, workerId: workers[i]!.id, at: event.at };
              if (w.slot !== undefined) fired.slot = w.slot;
              enqueue.emit(fired);
            });
          }),
        },
        'colony.context': { actions: assign(({ event }) => ({ shared: event.context, updatedAt: event.at })) },
        'colony.trigger.add': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const t: TriggerState = { ...event.trigger, addedAt: event.at, fired: 0 };
            enqueue.assign({ triggers: { ...context.triggers, [t.id]: t }, updatedAt: event.at });
            if (t.kind === 'timer' && !context.timersPaused) enqueue.emit(armSlot(context.spec.id, t, t.runImmediately ? 0 : 1));
          }),
        },
        'colony.trigger.remove': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const triggers = { ...context.triggers };
            const t = triggers[event.triggerId];
            delete triggers[event.triggerId];
            enqueue.assign({ triggers, updatedAt: event.at });
            if (t?.kind === 'timer') enqueue.emit({ type: 'effect.timer.cancel', timerId: triggerTimerId(context.spec.id, t.id) });
          }),
        },
        'colony.timers': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            if (event.paused === context.timersPaused) return;
            enqueue.assign({ timersPaused: event.paused, updatedAt: event.at });
            for (const t of Object.values(context.triggers)) {
              if (t.kind !== 'timer') continue;
              if (event.paused) enqueue.emit({ type: 'effect.timer.cancel', timerId: triggerTimerId(context.spec.id, t.id) });
              else enqueue.emit(armSlot(context.spec.id, t, nextSlot(t, event.at, t.lastSlot ?? -1)));
            }
          }),
        },
        'hive.trigger.due': {
          guard: 'slotIsNew',
          actions: enqueueActions(({ context, event, enqueue }) => {
            const t = context.triggers[event.triggerId] as TriggerState & { kind: 'timer' };
            enqueue.assign({ triggers: { ...context.triggers, [t.id]: { ...t, lastSlot: event.slot } }, updatedAt: event.at });
            enqueue.emit(armSlot(context.spec.id, t, nextSlot(t, event.at, event.slot)));
            enqueue.emit({
              type: 'effect.trigger.due',
              colonyId: context.spec.id,
              triggerId: t.id,
              slot: event.slot,
              skipWhileBusy: t.skipWhileBusy,
              task: t.task,
              input: t.input,
            });
          }),
        },
        'colony.stop': {
          target: 'stopped',
          actions: enqueueActions(({ context, event, enqueue }) => {
            enqueue.assign({ stoppedAt: event.at, lastActivityAt: event.at, updatedAt: event.at });
            for (const t of Object.values(context.triggers)) {
              if (t.kind === 'timer') enqueue.emit({ type: 'effect.timer.cancel', timerId: triggerTimerId(context.spec.id, t.id) });
            }
            enqueue.emit({ type: 'effect.colony.stop', colonyId: context.spec.id });
            enqueue.emit({ type: 'colony.stopped', colonyId: context.spec.id, at: event.at });
          }),
        },
      },
    },
    // Not final: finished workers still report to it, and its retention still prunes them.
    stopped: {},
  },
});
