/** @module answerWebhook: webhook triggers: finding the trigger at a path and answering a signed POST. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ColonyContext } from '../../machines/colony.js';
import type { Json } from '../../machines/types.js';
import { ColonyStoppedError, ValidationError } from '../errors.js';
import type { Kernel } from '../kernel/Kernel.js';
import { checkJson, checkName } from '../validate.js';

/** Webhook answers: status code and JSON body. */
export interface WebhookAnswer {
  status: number;
  body: Record<string, Json>;
}

/** A running colony's webhook trigger. */
export interface WebhookTrigger {
  colonyId: string;
  triggerId: string;
  secret: string;
}

/**
 * The running colony's webhook trigger at `path`, if any.
 * @example findWebhook(kernel, 'github')
 */
export function findWebhook(kernel: Kernel, path: string): WebhookTrigger | undefined {
  for (const colonyId of kernel.actorIds('colony')) {
    const s = kernel.actorState('colony', colonyId)!;
    if (s.status !== 'running') continue;
    for (const t of Object.values((s.context as ColonyContext).triggers)) {
      if (t.kind === 'webhook' && t.path === path) return { colonyId, triggerId: t.id, secret: t.secret };
    }
  }
  return undefined;
}

/**
 * Answers `POST /hooks/<path>`: 202 `{ workerId }` when the HMAC-SHA256 of the raw body with the
 * trigger's secret matches `x-hivestate-signature: sha256=<hex>`; 401 (nothing spawned) when not;
 * 404 without a trigger, 400 for a body that is not JSON, 409 for a stopped colony.
 * @example await answerWebhook(findWebhook(kernel, 'github'), 'github', body, signature, undefined, invoke)
 */
export async function answerWebhook(
  found: WebhookTrigger | undefined,
  path: string,
  body: Buffer,
  signature: string | undefined,
  idempotencyKey: string | undefined,
  invoke: (trigger: WebhookTrigger, input: Json, key: string | undefined) => Promise<string>,
): Promise<WebhookAnswer> {
  if (!found) return { status: 404, body: { error: `no webhook trigger at /hooks/${path}` } };
  const expected = `sha256=${createHmac('sha256', found.secret).update(body).digest('hex')}`;
  const given = Buffer.from(signature ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
    return {
      status: 401,
      body: { error: 'missing or wrong x-hivestate-signature; expected sha256=<hex HMAC-SHA256 of the raw body with the trigger secret>' },
    };
  }
  let input: Json = null;
  try {
    if (body.length > 0) input = checkJson('body', JSON.parse(body.toString('utf8')) as unknown);
  } catch (err) {
    return { status: 400, body: { error: `the body must be JSON: ${(err as Error).message}` } };
  }
  try {
    const key = idempotencyKey === undefined ? undefined : checkName('idempotency-key', idempotencyKey);
    return { status: 202, body: { workerId: await invoke(found, input, key) } };
  } catch (err) {
    if (err instanceof ColonyStoppedError) return { status: 409, body: { error: err.message } };
    if (err instanceof ValidationError) return { status: 400, body: { error: err.message } };
    return { status: 503, body: { error: (err as Error).message } };
  }
}
