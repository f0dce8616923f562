/**
 * @module compileHiveOptions: a hive's options, their defaults, and the one step that checks them
 * and settles every default, so inner code never re-checks an option.
 */
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import type { Handler, Verifier } from '../effects/types.js';
import { ValidationError } from '../errors.js';
import type { InspectorOptions } from '../inspect/InspectorServer.js';
import type { StoreFaults } from '../store/HiveStore.js';
import { checkInt, checkKeys, checkName } from '../validate.js';

export interface HiveOptions {
  /** Where the LMDB store lives. @default './.hivestate' */
  dataDir?: string;
  /** A pino logger; hivestate logs through children of it. @default pino at 'warn' level */
  logger?: Logger;
  /** Handlers by task type, used when the assigned agent has no handler of its own. */
  handlers?: Record<string, Handler>;
  /** Verifiers by task type, for tasks posted with `verify: true`. */
  verifiers?: Record<string, Verifier>;
  /** Where time comes from. @default the system clock */
  clock?: Clock;
  /** When to write a checkpoint. @default { everyInputs: 1000, everyMs: 1000 } */
  checkpoint?: { everyInputs?: number; everyMs?: number };
  /** How long finished tasks are kept before `prune()` removes them. @default 24 h */
  retentionMs?: number;
  /** Test hook: inject store write failures. */
  faults?: StoreFaults;
  /** Start the inspector (web page, API, WebSockets) for this hive; its URL with the token is `hive.inspector.url`. */
  inspect?: { port?: number; host?: string; token?: string };
  /** How tasks of a type are assigned when the task does not say: 'direct' (default) or 'auction'. */
  assignment?: Record<string, 'direct' | 'auction'>;
}

/** Options after defaults: nothing optional left for inner code to re-check. */
export interface CompiledHiveOptions {
  dataDir: string;
  logger: Logger;
  handlers: ReadonlyMap<string, Handler>;
  verifiers: ReadonlyMap<string, Verifier>;
  clock: Clock;
  checkpointEvery: number;
  checkpointMs: number;
  retentionMs: number;
  faults: StoreFaults;
  inspect: InspectorOptions | undefined;
  assignment: ReadonlyMap<string, 'direct' | 'auction'>;
}

export const defaultHiveOptions = {
  dataDir: './.hivestate',
  checkpointEvery: 1000,
  checkpointMs: 1000,
  retentionMs: 24 * 60 * 60 * 1000,
} as const;

const hiveOptionKeys = ['dataDir', 'logger', 'handlers', 'verifiers', 'clock', 'checkpoint', 'retentionMs', 'faults', 'inspect', 'assignment'] as const;

/**
 * Checks user options and fills in every default; throws a ValidationError naming the bad option.
 * @example const o = compileHiveOptions({ dataDir: './.hive' }); o.checkpointEvery // 1000
 */
export function compileHiveOptions(options: HiveOptions): CompiledHiveOptions {
  checkKeys('createHive', options, hiveOptionKeys);
  const cp = options.checkpoint === undefined ? {} : checkKeys('checkpoint', options.checkpoint, ['everyInputs', 'everyMs']);
  return {
    dataDir: options.dataDir === undefined ? defaultHiveOptions.dataDir : checkName('dataDir', options.dataDir, 4096),
    logger: options.logger ?? pino({ level: 'warn' }),
    handlers: functionsByName('handlers', options.handlers),
    verifiers: functionsByName('verifiers', options.verifiers),
    clock: options.clock ?? systemClock,
    checkpointEvery: cp.everyInputs === undefined ? defaultHiveOptions.checkpointEvery : checkInt('checkpoint.everyInputs', cp.everyInputs, 1, 10_000_000),
    checkpointMs: cp.everyMs === undefined ? defaultHiveOptions.checkpointMs : checkInt('checkpoint.everyMs', cp.everyMs, 10, 86_400_000),
    retentionMs: options.retentionMs === undefined ? defaultHiveOptions.retentionMs : checkInt('retentionMs', options.retentionMs, 0, 2 ** 42),
    faults: options.faults ?? {},
    inspect: compileInspectOptions(options.inspect),
    assignment: compileAssignment(options.assignment),
  };
}

/**
 * The inspector's options checked (used by `createHive({ inspect })` and `hivestate serve`).
 * @example compileInspectOptions({ port: 7070 })
 */
export function compileInspectOptions(value: HiveOptions['inspect']): InspectorOptions | undefined {
  if (value === undefined) return undefined;
  const i = checkKeys('inspect', value, ['port', 'host', 'token']);
  return {
    ...(i.port === undefined ? {} : { port: checkInt('inspect.port', i.port, 0, 65535) }),
    ...(i.host === undefined ? {} : { host: checkName('inspect.host', i.host, 255) }),
    ...(i.token === undefined ? {} : { token: checkName('inspect.token', i.token, 200) }),
  };
}

/** A map of functions by task type; looked up as a Map so names like `constructor` find nothing built in. */
function functionsByName<F>(name: string, record: Record<string, F> | undefined): ReadonlyMap<string, F> {
  if (record === undefined) return new Map();
  checkKeys(name, record, Object.keys(record));
  const out = new Map<string, F>();
  for (const [k, v] of Object.entries(record)) {
    if (typeof v !== 'function') throw new ValidationError(`${name}.${k}`, 'must be a function');
    out.set(k, v);
  }
  return out;
}

/** Assignment per task type, checked; a Map so a type named like an Object method finds nothing built in. */
function compileAssignment(value: HiveOptions['assignment']): ReadonlyMap<string, 'direct' | 'auction'> {
  const out = new Map<string, 'direct' | 'auction'>();
  if (value === undefined) return out;
  const r = checkKeys('assignment', value, typeof value === 'object' && value !== null ? Object.keys(value) : []);
  for (const [type, how] of Object.entries(r)) {
    if (how !== 'direct' && how !== 'auction') throw new ValidationError(`assignment.${type}`, `must be 'direct' or 'auction'; got ${JSON.stringify(how)}`);
    out.set(type, how);
  }
  return out;
}
