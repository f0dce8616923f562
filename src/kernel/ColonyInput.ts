/** @module ColonyInput: the journal inputs of colonies and their workers (API commands and attempt outcomes). */
import type { ColonyInput as ColonyMachineInput, SpawnRequest, TriggerSpec } from '../../machines/colony.js';
import type { Json, TaskError } from '../../machines/types.js';

export type ColonySpecRecord = Omit<ColonyMachineInput, 'at' | 'order'>;

/** An idempotency key with the policy it was accepted under (carried, so replay needs no options). */
export interface IdempotencyRecord {
  key: string;
  ttlMs: number;
  max: number;
}

type Attempt = { colonyId: string; workerId: string; attempt: number };

export type ColonyInput =
  | { type: 'colony.spawn'; colony: ColonySpecRecord }
  | { type: 'colony.stop'; colonyId: string }
  | { type: 'colony.context'; colonyId: string; context: Json }
  | { type: 'colony.trigger.add'; colonyId: string; trigger: TriggerSpec }
  | { type: 'colony.trigger.remove'; colonyId: string; triggerId: string }
  | { type: 'colony.timers'; colonyId: string; paused: boolean }
  | { type: 'worker.spawn'; colonyId: string; workers: SpawnRequest[]; inherit?: boolean; notify?: boolean; overseer?: 'shared' | 'own' }
  | { type: 'trigger.invoke'; colonyId: string; triggerId: string; input: Json; idempotency?: IdempotencyRecord }
  | { type: 'worker.stop'; colonyId: string; workerIds: string[]; reason: 'stopped' | 'timeout' }
  | { type: 'worker.message'; colonyId: string; workerId: string; message: Json }
  | ({ type: 'worker.progress'; pct: number; note?: string } & Attempt)
  | ({ type: 'worker.checkpoint'; state: Json } & Attempt)
  | ({ type: 'worker.succeeded'; output: Json } & Attempt)
  | ({ type: 'worker.partial'; summary?: string; output?: Json; usage?: Json } & Attempt)
  | ({ type: 'worker.failed'; error: TaskError } & Attempt)
  | ({ type: 'worker.lost' } & Attempt);

/** What applying a spawning input answers: the new worker ids, or why nothing was spawned. */
export type SpawnResult = { workerIds: string[]; existing?: boolean } | { refused: 'no_such_colony' | 'colony_stopped' | 'no_such_trigger' };
