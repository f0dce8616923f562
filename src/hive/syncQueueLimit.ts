/**
 * @module syncQueueLimit: makes the hive's journaled queue limit match `createHive({ queueLimit })`.
 * Journaled (`session.limits`), not just read from options, so that whatever holds back on pressure
 * (an auction's intake) decides the same way in replay and recovery. Without the option the
 * directory keeps the limit it has; `queueLimit: null` removes it.
 */
import type { SessionContext } from '../../machines/session.js';
import type { Kernel } from '../kernel/Kernel.js';

/**
 * Journals `session.limits` when the option differs from the directory's limit.
 * @example await syncQueueLimit(kernel, 500)
 */
export async function syncQueueLimit(kernel: Kernel, queueLimit: number | null | undefined): Promise<void> {
  if (queueLimit === undefined) return;
  const session = kernel.actorState('session', '')?.context as SessionContext | undefined;
  const current = session?.queueLimit ?? null;
  if (current === queueLimit) return;
  await kernel.submit(queueLimit === null ? { type: 'session.limits' } : { type: 'session.limits', queueLimit });
}
