/**
 * @module colonyReactions: what the kernel does with each event a colony or worker emits, one
 * small function per event type; spread into the kernel's reaction table (`reactions.ts`).
 */
import { colonyAddress, workerAddress, workerKey, type Address } from '../../machines/address.js';
import type { ColonyContext, ColonyMessage, ColonyNotification } from '../../machines/colony.js';
import type { WorkerContext, WorkerMessage, WorkerRequest } from '../../machines/worker.js';
import { pruneFinishedWorkers, startQueuedWorkers } from './colonyScheduler.js';
import type { KernelCore } from './KernelCore.js';

export type ColonyEmittedMessage = ColonyMessage | WorkerMessage | WorkerRequest;
type Reaction<T extends ColonyEmittedMessage['type']> = (core: KernelCore, from: Address, e: Extract<ColonyEmittedMessage, { type: T }>) => void;

export const colonyReactions: { [T in ColonyEmittedMessage['type']]: Reaction<T> } = {
  'effect.worker.create': (core, _from, e) => {
    const { colonyId } = e;
    // Inherited messages are the overseer's as of now; the worker reads them when it starts.
    const overseerId = (core.current('colony', colonyId)?.context as ColonyContext | undefined)?.overseerId;
    const overseer =
      e.inherit && overseerId !== undefined ? (core.current('worker', workerKey(colonyId, overseerId))?.context as WorkerContext | undefined) : undefined;
    for (const w of e.workers) {
      core.create('worker', workerKey(colonyId, w.id), {
        ...w,
        colonyId,
        maxResurrections: e.maxResurrections,
        ...(e.inherit ? { inherit: overseer?.inbox.length ?? 0 } : {}),
        ...(e.notify ? { notify: true } : {}),
        ...(e.overseer !== undefined ? { overseer: e.overseer } : {}),
        at: core.at,
      });
      // The overseer holds no slot and is not queued: it starts at once.
      if (e.overseer) core.deliver(workerAddress(colonyId, w.id), { type: 'hive.worker.start', at: core.at }, colonyAddress(colonyId));
    }
    startQueuedWorkers(core, colonyId);
  },
  'effect.colony.stop': (core, from, e) => {
    const st = core.colonies.get(e.colonyId);
    st.stopped = true;
    for (const id of st.unfinishedInOrder()) core.deliver(workerAddress(e.colonyId, id), { type: 'worker.stop', reason: 'stopped', at: core.at }, from);
  },
  'effect.colony.retention': (core, _from, e) => pruneFinishedWorkers(core, e.colonyId),
  'effect.trigger.due': (core, from, e) => {
    if (e.skipWhileBusy && (core.colonies.get(e.colonyId).busy.get(e.triggerId) ?? 0) > 0) {
      const skipped: ColonyNotification = { type: 'trigger.skipped', colonyId: e.colonyId, triggerId: e.triggerId, slot: e.slot, reason: 'busy', at: core.at };
      core.handleEmitted(from, [skipped]);
      return;
    }
    core.deliver(
      colonyAddress(e.colonyId),
      { type: 'worker.spawn', workers: [{ task: e.task, input: e.input, triggerId: e.triggerId, slot: e.slot }], at: core.at },
      from,
    );
  },
  'effect.worker.settled': (core, from, e) =>
    core.deliver(colonyAddress(e.colonyId), { type: 'hive.worker.finished', workerId: e.workerId, at: core.at }, from),
  'effect.worker.execute': (core, _from, e) => core.request(e),
  'effect.worker.abort': (core, _from, e) => core.request(e),
  'effect.worker.message': (core, _from, e) => core.request(e),
};
