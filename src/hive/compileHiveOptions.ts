/**
 * @module compileHiveOptions: a hive's options, their defaults, and the one step that checks them
 * and settles every default, so inner code never re-checks an option.
 */
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../clock.js';
import type { WorkerHandler } from '../colony/workerTypes.js';
import type { Handler, Verifier } from '../effects/types.js';
import { ValidationError } from '../errors.js';
import { type CompiledInspectorOptions, compileInspectOptions } from '../inspect/compileInspectOptions.js';
import type { HiveEventType } from '../createHive.js';
import type { HiveEvent } from '../kernel/Kernel.js';
import { defaultHttpListenerOptions, type HttpListenerOptions } from './HttpListener.js';
import type { Notify } from './Notifier.js';
import { compileNatsOptions, type CompiledNatsOptions, type NatsOptions } from '../remote/compileNatsOptions.js';
import type { StoreFaults } from '../store/HiveStore.js';
import { checkBool, checkInt, checkKeys, checkName } from '../validate.js';
import { compileRateLimits } from './compileRateLimits.js';
import type { RateLimits } from './syncRateLimits.js';
import { compileMessageOptions, type MessageOptions } from './messageCommands.js';

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
  /**
   * Listeners by event type ('*' for all), subscribed before recovery starts: events fired while
   * the hive reopens (re-dispatched attempts, timers that fell due while it was down) reach them.
   */
  on?: Partial<Record<HiveEventType, (e: HiveEvent) => void>>;
  /**
   * Open only to journal inputs (post, cancel, ...): no work is assigned or run, no timer fires,
   * attempts that were running are left for the next full open. What `hivestate post` and `cancel`
   * use on a directory no program holds. Takes no handlers or verifiers. @default false
   */
  intakeOnly?: boolean;
  /**
   * Keep a history index with each checkpoint (what each input did to each actor), so
   * `replay.history` and `replay.why` read it instead of replaying the journal. It costs CPU on the
   * hive's hot path (about a quarter more per task in the no-op throughput benchmark; little when
   * handlers do real work). Seek data is kept either way. @default true
   */
  history?: boolean;
  /**
   * Open a local control socket (only this user may connect) so that `hivestate post` and
   * `hivestate cancel` on this data directory reach this process. Off by default: a library opens
   * no socket unasked; `hivestate demo` turns it on. @default false
   */
  control?: boolean;
  /** Colony handlers by colony id, attached at open (handlers are code: after a restart they are given again). */
  colonies?: Record<string, WorkerHandler>;
  /** Idempotency keys of trigger invocations: same key within `ttlMs` returns the first worker; beyond `max` the oldest is evicted. @default { ttlMs: 24 h, max: 10000 } */
  idempotency?: { ttlMs?: number; max?: number };
  /** Start the hive's HTTP listener (webhook triggers at `POST /hooks/<path>`); port 0 picks a free one. @default host '127.0.0.1' */
  http?: { port: number; host?: string };
  /** Called once when a task or worker spawned with `notify: true` finishes (not when cancelled or stopped); a throw is logged, never fatal. */
  notify?: Notify;
  /**
   * At most `max` starts of a task type per `perMs` (a sliding window), e.g. `{ email: { max: 10, perMs: 1000 } }`.
   * Journaled: the directory keeps them until a hive opens with other `rateLimits` (`{}` removes all).
   */
  rateLimits?: Record<string, { max: number; perMs: number }>;
  /** Run agents on remote workers over NATS JetStream (`runWorker`, `hivestate worker`). Without it no NATS code is loaded. */
  nats?: NatsOptions;
  /** How tasks of a type are assigned when the task does not say: 'direct' (default) or 'auction'. */
  assignment?: Record<string, 'direct' | 'auction'>;
  /** Defaults for `hive.send`: redeliver an unacknowledged COMMAND, TASK_ASSIGN or HANDOFF after `ackTimeoutMs`, up to `maxDeliveries`; keep the newest `keepFinished` finished ones. @default { ackTimeoutMs: 30000, maxDeliveries: 3, keepFinished: 100000 } */
  messages?: MessageOptions;
  /**
   * Pending-queue length (tasks ready and waiting for an agent) above which the hive is under
   * pressure: `hive.isUnderPressure()` is true, `hive.report()` is DEGRADED with an issue saying
   * so, and auction intake pauses. Journaled: the directory keeps it until a hive opens with
   * another one (`null` removes it). @default none
   */
  queueLimit?: number | null;
  /**
   * Predict each task's agent and duration when it is posted, score the predictions when tasks end,
   * and raise advisories (`hive.insights()`). Journaled: replay makes the same predictions. @default true
   */
  insights?: boolean;
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
  inspect: CompiledInspectorOptions | undefined;
  on: ReadonlyMap<string, (e: HiveEvent) => void>;
  intakeOnly: boolean;
  history: boolean;
  control: boolean;
  colonies: ReadonlyMap<string, WorkerHandler>;
  idempotency: { ttlMs: number; max: number };
  http: HttpListenerOptions | undefined;
  notify: Notify | undefined;
  /** Undefined: keep the directory's limits. */
  rateLimits: RateLimits | undefined;
  nats: CompiledNatsOptions | undefined;
  assignment: ReadonlyMap<string, 'direct' | 'auction'>;
  messages: Required<MessageOptions>;
  /** Undefined: keep the directory's limit; null: remove it. */
  queueLimit: number | null | undefined;
  insights: boolean;
}

export const defaultHiveOptions = {
  dataDir: './.hivestate',
  checkpointEvery: 1000,
  checkpointMs: 1000,
  retentionMs: 24 * 60 * 60 * 1000,
  idempotency: { ttlMs: 24 * 60 * 60 * 1000, max: 10_000 },
} as const;

const hiveOptionKeys = [
  'dataDir',
  'logger',
  'handlers',
  'verifiers',
  'clock',
  'checkpoint',
  'retentionMs',
  'faults',
  'inspect',
  'on',
  'intakeOnly',
  'history',
  'control',
  'colonies',
  'idempotency',
  'http',
  'notify',
  'rateLimits',
  'nats',
  'assignment',
  'messages',
  'queueLimit',
  'insights',
] as const;

/**
 * Checks user options and fills in every default; throws a ValidationError naming the bad option.
 * @example const o = compileHiveOptions({ dataDir: './.hive' }); o.checkpointEvery // 1000
 */
export function compileHiveOptions(options: HiveOptions): CompiledHiveOptions {
  checkKeys('createHive', options, hiveOptionKeys);
  const cp = options.checkpoint === undefined ? {} : checkKeys('checkpoint', options.checkpoint, ['everyInputs', 'everyMs']);
  const intakeOnly = options.intakeOnly === undefined ? false : checkBool('intakeOnly', options.intakeOnly);
  if (intakeOnly && (options.handlers !== undefined || options.verifiers !== undefined)) {
    throw new ValidationError('intakeOnly', 'an intake-only hive runs no work: leave out handlers and verifiers');
  }
  const idem = options.idempotency === undefined ? {} : checkKeys('idempotency', options.idempotency, ['ttlMs', 'max']);
  const http = options.http === undefined ? undefined : checkKeys('http', options.http, ['port', 'host']);
  if (options.notify !== undefined && typeof options.notify !== 'function') throw new ValidationError('notify', 'must be a function (notice) => void');
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
    inspect: options.inspect === undefined ? undefined : compileInspectOptions(options.inspect),
    on: functionsByName('on', options.on as Record<string, (e: HiveEvent) => void> | undefined),
    intakeOnly,
    history: options.history === undefined ? true : checkBool('history', options.history),
    control: options.control === undefined ? false : checkBool('control', options.control),
    colonies: functionsByName('colonies', options.colonies),
    idempotency: {
      ttlMs: idem.ttlMs === undefined ? defaultHiveOptions.idempotency.ttlMs : checkInt('idempotency.ttlMs', idem.ttlMs, 1, 2 ** 42),
      max: idem.max === undefined ? defaultHiveOptions.idempotency.max : checkInt('idempotency.max', idem.max, 1, 10_000_000),
    },
    notify: options.notify,
    http: http && {
      port: checkInt('http.port', http.port, 0, 65535),
      host: http.host === undefined ? defaultHttpListenerOptions.host : checkName('http.host', http.host, 255),
    },
    rateLimits: compileRateLimits(options.rateLimits),
    nats: options.nats === undefined ? undefined : compileNatsOptions(options.nats),
    assignment: compileAssignment(options.assignment),
    messages: compileMessageOptions(options.messages),
    queueLimit: options.queueLimit === undefined || options.queueLimit === null ? options.queueLimit : checkInt('queueLimit', options.queueLimit, 0, 1e9),
    insights: options.insights === undefined ? true : checkBool('insights', options.insights),
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
