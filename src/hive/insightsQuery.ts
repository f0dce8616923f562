/**
 * @module insightsQuery: `hive.insights()`: prediction accuracy from the insights actor, and ranked
 * advisories derived from the learner's figures, the queue and the recent arrivals and endings per
 * task type. Every figure comes from journaled inputs and their times ("recent" ends at the last
 * applied input, never at the wall clock), so the same journal gives the same answer.
 */
import { initialInsights, insightsWindowMs, type InsightsContext } from '../../machines/insights.js';
import type { LearnerContext } from '../../machines/learner.js';
import type { Kernel } from '../kernel/Kernel.js';

export type AdvisoryKind = 'agent_failure_rate' | 'no_capable_agent' | 'queue_growing' | 'losing_auctions' | 'queue_over_limit';
export type AdvisorySeverity = 'critical' | 'warning' | 'info';

export interface Advisory {
  kind: AdvisoryKind;
  severity: AdvisorySeverity;
  message: string;
  agentId?: string;
  taskType?: string;
}

export interface PredictionFigures {
  /** Predictions made (one per task posted while insights were on). */
  made: number;
  /** Of those, the ones whose task has ended. */
  scored: number;
  /** Share of scored predictions that named the agent that ran the task (0..1); null before any. */
  winnerAccuracy: number | null;
  /** Mean absolute error of the predicted durations of completed tasks, in percent; null before any. */
  durationErrorPct: number | null;
}

export interface Insights {
  /** False when the hive was opened with `insights: false`: nothing is predicted or advised. */
  enabled: boolean;
  predictions: PredictionFigures;
  /** Most severe first, then by how far past its threshold each is. */
  advisories: Advisory[];
}

/** When advisories are raised. */
export const advisoryThresholds = {
  /** An agent fails at least this share of its attempts on a type... */
  failureRate: 0.4,
  /** ...over at least this many attempts (critical from `criticalFailureRate`). */
  minAttempts: 5,
  criticalFailureRate: 0.75,
  /** A queue grows when, in the last `insightsWindowMs`, at least `minArrivals` tasks of its type arrived, */
  minArrivals: 5,
  /** `growthRatio` times as many as ended, and at least `minQueued` are queued (critical when none ended). */
  growthRatio: 1.5,
  minQueued: 5,
  /** An agent keeps losing when it won at most this share of at least `minBids` auctions of a type. */
  losingWinRate: 0.1,
  minBids: 5,
} as const;

const severityRank: Record<AdvisorySeverity, number> = { critical: 0, warning: 1, info: 2 };
const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * The prediction figures of the insights actor's context.
 * @example predictionFigures(context).winnerAccuracy // 0.75
 */
export function predictionFigures(c: InsightsContext): PredictionFigures {
  return {
    made: c.made,
    scored: c.scored,
    winnerAccuracy: c.winnerScored === 0 ? null : c.winnerHits / c.winnerScored,
    durationErrorPct: c.durationScored === 0 ? null : c.durationErrorPctSum / c.durationScored,
  };
}

/**
 * Insights of a live hive.
 * @example insightsOf(kernel).advisories[0]?.message // 'agent dl-2 fails 60% of download tasks (6 of 10)'
 */
export function insightsOf(kernel: Kernel): Insights {
  const c = (kernel.actorSnapshot('insights')?.snapshot as { context: InsightsContext } | undefined)?.context ?? initialInsights();
  if (!c.enabled) return { enabled: false, predictions: predictionFigures(c), advisories: [] };
  const learner = (kernel.actorSnapshot('learner')?.snapshot as { context: LearnerContext } | undefined)?.context ?? { agents: [] };
  const ranked: Array<Advisory & { weight: number }> = [];
  const t = advisoryThresholds;
  for (const a of learner.agents) {
    for (const ty of a.byType) {
      const attempts = ty.succeeded + ty.failed;
      const rate = attempts === 0 ? 0 : ty.failed / attempts;
      if (attempts >= t.minAttempts && rate >= t.failureRate) {
        ranked.push({
          kind: 'agent_failure_rate',
          severity: rate >= t.criticalFailureRate ? 'critical' : 'warning',
          message: `agent ${a.agentId} fails ${pct(rate)} of ${ty.taskType} tasks (${ty.failed} of ${attempts})`,
          agentId: a.agentId,
          taskType: ty.taskType,
          weight: rate,
        });
      }
      if (ty.bids >= t.minBids && ty.wins / ty.bids <= t.losingWinRate) {
        ranked.push({
          kind: 'losing_auctions',
          severity: 'info',
          message: `agent ${a.agentId} lost ${ty.bids - ty.wins} of the ${ty.bids} ${ty.taskType} auctions it bid in`,
          agentId: a.agentId,
          taskType: ty.taskType,
          weight: 1 - ty.wins / ty.bids,
        });
      }
    }
  }
  const queue = kernel.queueFigures();
  const since = queue.at - insightsWindowMs;
  for (const q of queue.types) {
    if (q.gap === 'capability') {
      ranked.push({
        kind: 'no_capable_agent',
        severity: 'critical',
        message: `${q.queued} ${q.taskType} task${q.queued === 1 ? '' : 's'} wait${q.queued === 1 ? 's' : ''}: no agent has the capability ${q.taskType}`,
        taskType: q.taskType,
        weight: q.queued,
      });
    }
    const figures = c.types.find((x) => x.taskType === q.taskType);
    let posted = 0;
    let ended = 0;
    for (const b of figures?.buckets ?? []) {
      if (b.start < since) continue;
      posted += b.posted;
      ended += b.ended;
    }
    if (q.queued >= t.minQueued && posted >= t.minArrivals && posted > t.growthRatio * ended) {
      ranked.push({
        kind: 'queue_growing',
        severity: ended === 0 ? 'critical' : 'warning',
        message: `the ${q.taskType} queue grows faster than it drains: ${posted} posted, ${ended} ended in the last ${insightsWindowMs / 1000} s; ${q.queued} queued`,
        taskType: q.taskType,
        weight: posted / Math.max(1, ended),
      });
    }
  }
  // RESOURCE_EXHAUSTED: the pending queue is over `queueLimit` (see queuePressure.ts); new auctions wait.
  const pressure = kernel.queuePressure();
  if (pressure.over && pressure.limit !== undefined) {
    ranked.push({
      kind: 'queue_over_limit',
      severity: 'warning',
      message: `the pending queue is over its limit: ${pressure.queued} queued, queueLimit ${pressure.limit}; no new auction opens until it is back at the limit`,
      weight: pressure.queued / Math.max(1, pressure.limit),
    });
  }
  const key = (a: Advisory) => `${a.kind}\u0000${a.taskType ?? ''}\u0000${a.agentId ?? ''}`;
  ranked.sort((a, b) => severityRank[a.severity] - severityRank[b.severity] || b.weight - a.weight || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { enabled: true, predictions: predictionFigures(c), advisories: ranked.map(({ weight: _w, ...a }) => a) };
}
