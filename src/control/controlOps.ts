/**
 * @module controlOps: what each control request does to a hive, in one table used both by the
 * control socket (a running hive) and by the CLI when it opens a free directory itself.
 */
import type { Json } from '../../machines/types.js';
import type { Hive } from '../createHive.js';
import { ValidationError } from '../errors.js';
import type { TaskSpec } from '../specs.js';
import type { ControlRequest } from './controlProtocol.js';

type Op<K extends ControlRequest['op']> = (hive: Hive, request: Extract<ControlRequest, { op: K }>) => Promise<unknown>;

const ops: { [K in ControlRequest['op']]: Op<K> } = {
  post: (hive, r) => hive.postTask(r.task as unknown as TaskSpec),
  cancel: (hive, r) => hive.cancelTask(r.taskId, r.by === undefined ? {} : { by: r.by }),
  retry: (hive, r) => hive.retryTask(r.taskId, r.by === undefined ? {} : { by: r.by }),
  signal: (hive, r) => hive.signal(r.taskId, r.name, r.value),
};

/**
 * Carries out one request; validation is the hive's own, exactly as for an API call.
 * @example await applyControl(hive, { op: 'cancel', taskId: 'build:ui' })
 */
export async function applyControl(hive: Hive, request: ControlRequest): Promise<Json> {
  const op = (request as { op?: unknown } | null)?.op;
  if (typeof op !== 'string' || !Object.hasOwn(ops, op))
    throw new ValidationError(
      'op',
      `must be one of ${Object.keys(ops)
        .map((o) => `'${o}'`)
        .join(', ')}; got ${JSON.stringify(op)}`,
    );
  return (await (ops[op as ControlRequest['op']] as Op<ControlRequest['op']>)(hive, request)) as Json;
}
