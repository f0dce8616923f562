/**
 * @module syncInsights: makes the directory's journaled insights switch match `createHive({ insights })`.
 * Journaled (not just read from options) because predictions are part of the tasks' state: replay
 * and recovery must make the same ones.
 */
import type { InsightsContext } from '../../machines/insights.js';
import type { Kernel } from '../kernel/Kernel.js';

/**
 * Journals `insights.set` when the switch differs from the directory's (on when never set).
 * @example await syncInsights(kernel, false)
 */
export async function syncInsights(kernel: Kernel, enabled: boolean): Promise<void> {
  const current = (kernel.actorSnapshot('insights')?.snapshot as { context: InsightsContext } | undefined)?.context.enabled ?? true;
  if (current !== enabled) await kernel.submit({ type: 'insights.set', enabled });
}
