/**
 * @module compileNatsOptions: the hive's `nats` option checked and settled. Loads no NATS code, so
 * a hive without the option never does.
 */
import { ValidationError } from '../errors.js';
import { checkInt, checkKeys, checkName } from '../validate.js';
import { checkPrefix } from './protocol.js';

export interface NatsOptions {
  /** NATS server URL(s), e.g. 'nats://127.0.0.1:4222'. The server must run JetStream (`nats-server -js`). */
  servers: string | string[];
  /** Names the subjects and the stream (`<prefix>.work.<agent>`, `<prefix>_work`); one hive per prefix. @default 'hivestate' */
  prefix?: string;
  /** A worker not heard from for this long is lost: its agent goes to `error` and its attempts are re-dispatched. @default 10000 */
  workerTimeoutMs?: number;
}

export interface CompiledNatsOptions {
  servers: string[];
  prefix: string;
  workerTimeoutMs: number;
}

export const defaultNatsOptions = { prefix: 'hivestate', workerTimeoutMs: 10_000 } as const;

/**
 * @example compileNatsOptions({ servers: 'nats://127.0.0.1:4222' }).prefix // 'hivestate'
 */
export function compileNatsOptions(value: NatsOptions): CompiledNatsOptions {
  const o = checkKeys('nats', value, ['servers', 'prefix', 'workerTimeoutMs']);
  return {
    servers: checkServers('nats.servers', o.servers),
    prefix: o.prefix === undefined ? defaultNatsOptions.prefix : checkPrefix('nats.prefix', o.prefix),
    workerTimeoutMs: o.workerTimeoutMs === undefined ? defaultNatsOptions.workerTimeoutMs : checkInt('nats.workerTimeoutMs', o.workerTimeoutMs, 200, 3_600_000),
  };
}

/** One URL or a non-empty list of them. */
export function checkServers(field: string, value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new ValidationError(field, 'must name at least one NATS server, e.g. nats://127.0.0.1:4222');
  return list.map((v, i) => {
    const s = checkName(Array.isArray(value) ? `${field}[${i}]` : field, v, 1000);
    if (/\s/.test(s)) throw new ValidationError(field, `must be a NATS URL such as nats://127.0.0.1:4222; got ${JSON.stringify(s)}`);
    return s;
  });
}
