/**
 * @module colonySpecs: the public shapes of colonies, their spawns and triggers, and their
 * validation into journal records (defaults applied, ids checked) before anything is journaled.
 */
import type { SpawnRequest, TriggerSpec } from '../../machines/colony.js';
import type { Json } from '../../machines/types.js';
import type { ColonySpecRecord } from '../kernel/ColonyInput.js';
import { ValidationError } from '../errors.js';
import { checkBool, checkInt, checkJson, checkKeys, checkName, checkStringArray, limits, preview, readSafely } from '../validate.js';
import type { WorkerHandler } from './workerTypes.js';

export interface ColonySpec {
  /** Letters, digits and . _ : @ - (no `/`); a random id when left out. */
  id?: string;
  name: string;
  /** Runs each worker's job. Functions are not stored: after a restart attach it again. */
  handler: WorkerHandler;
  capabilities?: string[];
  /** Workers running at once; the rest queue in spawn order. @default 8 */
  maxConcurrentWorkers?: number;
  /** Crashes (a thrown error, or the process dying mid-attempt) a worker survives before it reports `failed`. @default 2 */
  maxResurrections?: number;
  /** Finished workers kept for `waitForReports`. @default { max: 10000, ttlMs: 24 h } */
  retention?: { max?: number; ttlMs?: number };
  owner?: string;
}

export interface SpawnOptions {
  /** Workers to spawn with this task. @default 1 */
  count?: number;
  input?: Json;
  /** The worker gets the overseer's messages so far and the colony's shared context in `job.inherited`. */
  inheritContext?: boolean;
  /** Call `createHive({ notify })` once when the worker finishes. */
  notify?: boolean;
}

export type TriggerDefinition =
  | { id: string; kind: 'timer'; everyMs: number; task: string; input?: Json; runImmediately?: boolean; skipWhileBusy?: boolean }
  | { id: string; kind: 'webhook'; path: string; secret: string; task: string }
  | { id: string; kind: 'api'; task: string };

export const defaultColonyOptions = {
  maxConcurrentWorkers: 8,
  maxResurrections: 2,
  retention: { max: 10_000, ttlMs: 24 * 60 * 60 * 1000 },
} as const;

/** Most workers one spawn call creates. */
export const maxSpawnCount = 100_000;
/** Longest task text. */
export const maxTaskLength = 65_536;
/** Shortest webhook secret: an HMAC key much shorter is guessable. */
export const minSecretLength = 16;

const colonyIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:@-]*$/;
const hookPathPattern = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;

/** Colony ids: like other ids but without `/`, which separates a worker's colony from its id. */
export function checkColonyId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > limits.idLength || !colonyIdPattern.test(value)) {
    throw new ValidationError(
      field,
      `must be 1-${limits.idLength} characters of letters, digits and . _ : @ - starting with a letter or digit (no /); got ${preview(value)}`,
    );
  }
  return value;
}

/** A worker's task: the job description every clone of one spawn shares. */
export function checkTask(field: string, value: unknown): string {
  return checkName(field, value, maxTaskLength);
}

/**
 * Validates `spawnColony`'s argument; the handler is returned apart (functions are never journaled).
 * @example const { record, handler } = colonyRecord({ name: 'tests', handler }, () => 'c-1')
 */
export function colonyRecord(spec: unknown, newId: () => string): { record: ColonySpecRecord; handler: WorkerHandler } {
  const s = checkKeys('spawnColony', spec, ['id', 'name', 'handler', 'capabilities', 'maxConcurrentWorkers', 'maxResurrections', 'retention', 'owner']);
  if (typeof s.handler !== 'function') throw new ValidationError('handler', `must be a function (job, ctx) => result; got ${preview(s.handler)}`);
  const r = s.retention === undefined ? {} : checkKeys('retention', s.retention, ['max', 'ttlMs']);
  const record: ColonySpecRecord = {
    id: s.id === undefined ? newId() : checkColonyId('id', s.id),
    name: checkName('name', s.name),
    capabilities: s.capabilities === undefined ? [] : checkStringArray('capabilities', s.capabilities, { nonEmpty: false, item: (f, v) => checkName(f, v) }),
    maxConcurrentWorkers:
      s.maxConcurrentWorkers === undefined
        ? defaultColonyOptions.maxConcurrentWorkers
        : checkInt('maxConcurrentWorkers', s.maxConcurrentWorkers, 1, limits.maxConcurrent),
    maxResurrections:
      s.maxResurrections === undefined ? defaultColonyOptions.maxResurrections : checkInt('maxResurrections', s.maxResurrections, 0, limits.maxRetries),
    retention: {
      max: r.max === undefined ? defaultColonyOptions.retention.max : checkInt('retention.max', r.max, 0, 10_000_000),
      ttlMs: r.ttlMs === undefined ? defaultColonyOptions.retention.ttlMs : checkInt('retention.ttlMs', r.ttlMs, 1, 2 ** 42),
    },
  };
  if (s.owner !== undefined) record.owner = checkName('owner', s.owner);
  return { record, handler: s.handler as WorkerHandler };
}

/**
 * Validates `colony.spawn(task, options)` into spawn requests and flags.
 * @example spawnRecord('lint', { count: 3 }).workers.length // 3
 */
export function spawnRecord(task: unknown, options: unknown): { workers: SpawnRequest[]; inherit: boolean; notify: boolean } {
  const o = options === undefined ? {} : checkKeys('spawn', options, ['count', 'input', 'inheritContext', 'notify']);
  const t = checkTask('task', task);
  const count = o.count === undefined ? 1 : checkInt('count', o.count, 1, maxSpawnCount);
  const input = o.input === undefined ? null : checkJson('input', o.input);
  return {
    workers: Array.from({ length: count }, () => ({ task: t, input })),
    inherit: o.inheritContext === undefined ? false : checkBool('inheritContext', o.inheritContext),
    notify: o.notify === undefined ? false : checkBool('notify', o.notify),
  };
}

/**
 * Validates `colony.spawnBatch(specs, options)`: one worker per `{ task, input? }`.
 * @example spawnBatchRecord([{ task: 'a' }, { task: 'b', input: 1 }]).workers.length // 2
 */
export function spawnBatchRecord(specs: unknown, options: unknown): { workers: SpawnRequest[]; inherit: boolean; notify: boolean } {
  const o = options === undefined ? {} : checkKeys('spawnBatch', options, ['inheritContext', 'notify']);
  const list = readSafely('spawnBatch', () => {
    if (!Array.isArray(specs) || specs.length === 0)
      throw new ValidationError('spawnBatch', `needs a non-empty array of { task, input? }; got ${preview(specs)}`);
    if (specs.length > maxSpawnCount) throw new ValidationError('spawnBatch', `takes at most ${maxSpawnCount} workers per call; got ${specs.length}`);
    return Array.from({ length: specs.length }, (_, i) => readSafely(`specs[${i}]`, () => specs[i] as unknown));
  });
  const workers = list.map((spec, i) => {
    const s = checkKeys(`specs[${i}]`, spec, ['task', 'input']);
    return { task: checkTask(`specs[${i}].task`, s.task), input: s.input === undefined ? null : checkJson(`specs[${i}].input`, s.input) };
  });
  return {
    workers,
    inherit: o.inheritContext === undefined ? false : checkBool('inheritContext', o.inheritContext),
    notify: o.notify === undefined ? false : checkBool('notify', o.notify),
  };
}

/**
 * Validates a trigger definition.
 * @example triggerRecord({ id: 'nightly', kind: 'timer', everyMs: 60_000, task: 'sweep' })
 */
export function triggerRecord(def: unknown): TriggerSpec {
  const kind = readSafely('trigger.kind', () => (typeof def === 'object' && def !== null ? (def as { kind?: unknown }).kind : undefined));
  if (kind === 'timer') {
    const s = checkKeys('addTrigger', def, ['id', 'kind', 'everyMs', 'task', 'input', 'runImmediately', 'skipWhileBusy']);
    return {
      id: checkColonyId('id', s.id),
      kind,
      everyMs: checkInt('everyMs', s.everyMs, 1, 2 ** 31 - 1),
      task: checkTask('task', s.task),
      input: s.input === undefined ? null : checkJson('input', s.input),
      runImmediately: s.runImmediately === undefined ? false : checkBool('runImmediately', s.runImmediately),
      skipWhileBusy: s.skipWhileBusy === undefined ? false : checkBool('skipWhileBusy', s.skipWhileBusy),
    };
  }
  if (kind === 'webhook') {
    const s = checkKeys('addTrigger', def, ['id', 'kind', 'path', 'secret', 'task']);
    const path = checkName('path', s.path);
    if (path.length > 200 || !hookPathPattern.test(path)) {
      throw new ValidationError(
        'path',
        `must be 1-200 characters of letters, digits and . _ ~ - in segments separated by / (served at POST /hooks/<path>); got ${preview(path)}`,
      );
    }
    const secret = checkName('secret', s.secret, 4096);
    if (secret.length < minSecretLength) throw new ValidationError('secret', `must be at least ${minSecretLength} characters; got ${secret.length}`);
    return { id: checkColonyId('id', s.id), kind, path, secret, task: checkTask('task', s.task) };
  }
  if (kind === 'api') {
    const s = checkKeys('addTrigger', def, ['id', 'kind', 'task']);
    return { id: checkColonyId('id', s.id), kind, task: checkTask('task', s.task) };
  }
  throw new ValidationError('kind', `must be 'timer', 'webhook' or 'api'; got ${preview(kind)}`);
}
