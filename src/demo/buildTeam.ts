/**
 * @module buildTeam: the demo swarm, a build orchestration team (lead, planning, execution and
 * validation tiers) and its phased task plan with dependencies and priorities. Plain data.
 */
import type { AgentSpec, TaskSpec } from '../specs.js';

/** A team member: an agent spec (no handler: the hive's handlers by task type do the work) and its tier. */
export interface TeamMember {
  spec: AgentSpec & { id: string };
  tier: 'lead' | 'planning' | 'execution' | 'validation';
  role: string;
}

/** The team: ids are fixed so that a rerun finds its agents instead of spawning new ones. */
export const buildTeam: TeamMember[] = [
  { tier: 'lead', role: 'lead', spec: { id: 'lead', name: 'lead', capabilities: ['release'], priority: 'critical' } },
  { tier: 'planning', role: 'planner', spec: { id: 'planner', name: 'planner', capabilities: ['plan'], priority: 'high' } },
  { tier: 'execution', role: 'download', spec: { id: 'fetch-1', name: 'fetch-1', capabilities: ['download'], maxConcurrent: 2 } },
  { tier: 'execution', role: 'download', spec: { id: 'fetch-2', name: 'fetch-2', capabilities: ['download'], maxConcurrent: 2 } },
  // Builders win build tasks at auction: builder-1 raises its price with every win, so builder-2 gets some.
  {
    tier: 'execution',
    role: 'build',
    spec: { id: 'builder-1', name: 'builder-1', capabilities: ['build'], priority: 'high', bid: (_t, stats) => 4 + stats.wins },
  },
  { tier: 'execution', role: 'build', spec: { id: 'builder-2', name: 'builder-2', capabilities: ['build'], bid: () => 6 } },
  { tier: 'execution', role: 'encrypt', spec: { id: 'crypto', name: 'crypto', capabilities: ['encrypt'] } },
  { tier: 'execution', role: 'ui', spec: { id: 'ui', name: 'ui', capabilities: ['ui'] } },
  { tier: 'validation', role: 'test', spec: { id: 'tester-1', name: 'tester-1', capabilities: ['test'] } },
  { tier: 'validation', role: 'test', spec: { id: 'tester-2', name: 'tester-2', capabilities: ['test'] } },
  { tier: 'validation', role: 'quality gate', spec: { id: 'gate', name: 'gate', capabilities: ['quality'], priority: 'critical' } },
];

/** Phases in the order the build goes through them; a task's phase is the part of its id before ':'. */
export const buildPhases = ['plan', 'download', 'build', 'encrypt', 'ui', 'test', 'quality', 'release'] as const;

/** Work of one demo task at speed 1, in milliseconds, and its chance of failing on an early attempt. */
export const workProfile: Record<string, { ms: number; failRate: number }> = {
  plan: { ms: 2500, failRate: 0.05 },
  download: { ms: 3500, failRate: 0.25 },
  build: { ms: 6000, failRate: 0.25 },
  encrypt: { ms: 2500, failRate: 0.15 },
  ui: { ms: 4000, failRate: 0.2 },
  test: { ms: 4000, failRate: 0.1 },
  quality: { ms: 3000, failRate: 0.1 },
  release: { ms: 2000, failRate: 0.05 },
};

type Step = [id: string, type: string, priority: TaskSpec['priority'], dependsOn: string[], verify?: boolean];

export const modules = ['core', 'net', 'crypto', 'cli', 'server'] as const;

/** The plan as [id, type, priority, dependsOn, verify] rows, in phase order. */
const plan: Step[] = [
  ['plan:analyse', 'plan', 'critical', []],
  ['plan:graph', 'plan', 'critical', ['plan:analyse']],
  ['download:toolchain', 'download', 'high', ['plan:graph']],
  ...modules.map((m): Step => [`download:${m}-deps`, 'download', 'normal', ['plan:graph']]),
  ['download:ui-assets', 'download', 'normal', ['plan:graph']],
  ['build:core', 'build', 'high', ['download:toolchain', 'download:core-deps']],
  ['build:net', 'build', 'normal', ['download:toolchain', 'download:net-deps', 'build:core']],
  ['build:crypto', 'build', 'normal', ['download:toolchain', 'download:crypto-deps']],
  ['build:cli', 'build', 'normal', ['download:toolchain', 'download:cli-deps', 'build:core']],
  ['build:server', 'build', 'high', ['download:toolchain', 'download:server-deps', 'build:net']],
  ['encrypt:keys', 'encrypt', 'high', ['plan:graph']],
  ['encrypt:sign-core', 'encrypt', 'normal', ['encrypt:keys', 'build:core']],
  ['encrypt:sign-server', 'encrypt', 'normal', ['encrypt:keys', 'build:server']],
  ['ui:components', 'ui', 'normal', ['download:ui-assets']],
  ['ui:styles', 'ui', 'normal', ['download:ui-assets']],
  ['ui:bundle', 'ui', 'high', ['ui:components', 'ui:styles', 'build:cli']],
  ...modules.map((m): Step => [`test:${m}`, 'test', 'normal', [`build:${m}`], true]),
  ['test:ui', 'test', 'normal', ['ui:bundle'], true],
  ['quality:coverage', 'quality', 'critical', modules.map((m) => `test:${m}`), true],
  ['quality:security', 'quality', 'critical', ['encrypt:sign-core', 'encrypt:sign-server', 'test:crypto'], true],
  ['quality:ui-audit', 'quality', 'high', ['test:ui'], true],
  ['release:package', 'release', 'critical', ['quality:coverage', 'quality:security', 'quality:ui-audit']],
  ['release:notes', 'release', 'high', ['release:package']],
];

/**
 * The demo's task specs for one run. Fixed ids plus idempotency keys make posting them again a no-op.
 * @example await hive.postTasks(buildPlan({ speed: 4 }))
 */
export function buildPlan(options: { speed: number }): Array<TaskSpec & { id: string }> {
  return plan.map(([id, type, priority, dependsOn, verify]) => ({
    id,
    type,
    priority,
    dependsOn,
    input: { phase: id.slice(0, id.indexOf(':')), target: id.slice(id.indexOf(':') + 1) },
    maxRetries: 3,
    backoffMs: Math.round(1500 / options.speed),
    verify: verify ?? false,
    phase: phaseOf(id),
    idempotencyKey: `demo:${id}`,
    ...(type === 'build'
      ? { assign: 'auction' as const, auction: { windowMs: Math.max(10, Math.round(400 / options.speed)), onNoBids: 'queue' as const } }
      : {}),
  }));
}

/** Phase of a demo task id ('build:core' -> 'build'). */
export const phaseOf = (taskId: string): string => taskId.slice(0, Math.max(0, taskId.indexOf(':'))) || taskId;
