/**
 * @module applyColonyInput: how each colony and worker input changes the actors, one small function
 * per input type; spread into the kernel's input table (`applyInput.ts`).
 */
import { colonyAddress, workerAddress, workerKey } from '../../machines/address.js';
import { workerIdFor, type ColonyContext, type ColonyEvent } from '../../machines/colony.js';
import type { WorkerContext } from '../../machines/worker.js';
import { statusOf } from './ActorKind.js';
import type { ColonyInput, SpawnResult } from './ColonyInput.js';
import type { KernelCore } from './KernelCore.js';

type Handler<T extends ColonyInput['type']> = (core: KernelCore, input: Extract<ColonyInput, { type: T }>) => unknown;

/** Post order of a colony: inputs in journal order (the same scheme as tasks and agents). */
const orderOf = (seq: number) => seq * 65536;

/** A command for the colony actor, delivered as the event of the same name. */
const toColony = (
  core: KernelCore,
  input: Extract<ColonyInput, { type: 'colony.stop' | 'colony.context' | 'colony.trigger.add' | 'colony.trigger.remove' | 'colony.timers' }>,
) => {
  const { colonyId, ...event } = input;
  core.deliver(colonyAddress(colonyId), { ...event, at: core.at } as ColonyEvent, 'input');
};

/** An attempt's report or outcome goes to its worker as the event of the same name. */
const toWorker = (
  core: KernelCore,
  input: Extract<ColonyInput, { type: 'worker.progress' | 'worker.succeeded' | 'worker.partial' | 'worker.failed' | 'worker.lost' }>,
) => {
  const { colonyId, workerId, ...event } = input;
  core.deliver(workerAddress(colonyId, workerId), { ...event, at: core.at }, 'input');
};

export const colonyInputHandlers: { [T in ColonyInput['type']]: Handler<T> } = {
  'colony.spawn': (core, { colony }) => {
    core.create('colony', colony.id, { ...colony, order: orderOf(core.seq), at: core.at });
    return colony.id;
  },
  'colony.stop': toColony,
  'colony.context': toColony,
  'colony.trigger.add': toColony,
  'colony.trigger.remove': toColony,
  'colony.timers': toColony,
  'worker.spawn': (core, { colonyId, workers, inherit, notify, overseer }) =>
    spawnWorkers(core, colonyId, {
      type: 'worker.spawn',
      workers,
      ...(inherit ? { inherit } : {}),
      ...(notify ? { notify } : {}),
      ...(overseer ? { overseer } : {}),
      at: core.at,
    }),
  'trigger.invoke': (core, { colonyId, triggerId, input, idempotency }) => {
    if (idempotency) {
      const known = core.triggerKeys.find(colonyId, idempotency.key, core.at, idempotency.ttlMs);
      if (known) return { workerIds: [known.workerId], existing: true } satisfies SpawnResult;
    }
    const c = core.current('colony', colonyId)?.context as ColonyContext | undefined;
    const trigger = c && Object.hasOwn(c.triggers, triggerId) ? c.triggers[triggerId] : undefined;
    if (!trigger) return { refused: c ? 'no_such_trigger' : 'no_such_colony' } satisfies SpawnResult;
    const result = spawnWorkers(core, colonyId, { type: 'worker.spawn', workers: [{ task: trigger.task, input, triggerId }], at: core.at });
    if (idempotency && 'workerIds' in result) {
      core.triggerKeys.add(idempotency.key, { colonyId, workerId: result.workerIds[0]!, at: core.at, seq: core.seq }, idempotency.ttlMs, idempotency.max);
    }
    return result;
  },
  'worker.stop': (core, { colonyId, workerIds, reason }) => {
    for (const id of workerIds) core.deliver(workerAddress(colonyId, id), { type: 'worker.stop', reason, at: core.at }, 'input');
  },
  'worker.message': (core, { colonyId, workerId, message }) =>
    core.deliver(workerAddress(colonyId, workerId), { type: 'worker.message', message, at: core.at }, 'input'),
  'worker.progress': toWorker,
  'worker.checkpoint': (core, { colonyId, workerId, attempt, state }) => {
    // The handler is told whether its checkpoint was stored: only the current attempt's is.
    const slot = core.slot('worker', workerKey(colonyId, workerId));
    const before = slot && statusOf((slot.snap ?? slot.persisted)!) === 'running' ? core.hosted('worker', slot) : undefined;
    core.deliver(workerAddress(colonyId, workerId), { type: 'worker.checkpoint', attempt, state, at: core.at }, 'input');
    core.drain();
    return before !== undefined && slot!.snap !== before && (slot!.snap?.context as WorkerContext | undefined)?.checkpoint === state;
  },
  'worker.succeeded': toWorker,
  'worker.partial': toWorker,
  'worker.failed': toWorker,
  'worker.lost': toWorker,
};

/** Asks the colony to spawn; answers the ids its counter gave the new workers, or why it spawned none. */
function spawnWorkers(core: KernelCore, colonyId: string, event: Extract<ColonyEvent, { type: 'worker.spawn' }>): SpawnResult {
  const snap = core.current('colony', colonyId);
  if (!snap) return { refused: 'no_such_colony' };
  if (statusOf(snap) !== 'running') return { refused: 'colony_stopped' };
  const before = (snap.context as ColonyContext).nextWorker;
  core.deliver(colonyAddress(colonyId), event, 'input');
  core.drain();
  const after = (core.current('colony', colonyId)!.context as ColonyContext).nextWorker;
  return { workerIds: Array.from({ length: after - before }, (_, i) => workerIdFor(before + i + 1)) };
}
