import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHive, HiveError, type Hive, type TaskView } from '../src/index.js';
import { memoryLogger, tempDir } from './helpers.js';

const garbage = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});
// Values the store cannot keep exactly: lone surrogates and "__proto__" keys must be refused, not mangled.
const unstorable = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constant(JSON.parse('{"__proto__": {"x": 1}}') as unknown),
  fc.constant({ ['k\uD800']: 1 }),
);
const id = fc.oneof(fc.constantFrom('a', 'b', 'c', 't1', 't2', 't3', 'w1', 'w2', 'nope', '', 'has space', 'x'.repeat(300)), garbage);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const taskSpec = fc.oneof(
  fc.record(
    {
      id,
      type: fc.oneof(fc.constantFrom('x', 'y', 'slow', 'z'), garbage, unstorable),
      input: fc.oneof(fc.jsonValue({ maxDepth: 3 }), garbage, unstorable),
      priority: fc.oneof(fc.constantFrom('normal', 'high', 'critical', 'urgent'), fc.integer({ min: -5, max: 2000 }), garbage),
      dependsOn: fc.oneof(fc.array(id, { maxLength: 3 }), garbage),
      maxRetries: fc.oneof(fc.integer({ min: -1, max: 3 }), garbage),
      backoffMs: fc.oneof(fc.constantFrom(0, 1, 5), garbage),
      timeoutMs: fc.oneof(fc.constantFrom(1, 5, 1000), garbage),
      verify: fc.oneof(fc.boolean(), garbage),
      owner: fc.oneof(fc.constantFrom('alice', 'bob'), garbage),
      idempotencyKey: fc.oneof(fc.constantFrom('k1', 'k2'), garbage),
      deadline: fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), garbage),
    },
    { requiredKeys: [] },
  ),
  garbage,
);
const agentSpec = fc.oneof(
  fc.record(
    {
      id,
      name: fc.oneof(fc.constantFrom('worker', 'helper'), garbage),
      capabilities: fc.oneof(fc.array(fc.constantFrom('x', 'y', 'slow'), { maxLength: 3 }), garbage),
      priority: fc.oneof(fc.constantFrom('normal', 'high', 'critical'), garbage),
      maxConcurrent: fc.oneof(fc.integer({ min: -1, max: 4 }), garbage),
      parentId: id,
      level: fc.oneof(fc.constantFrom(1, 2, 3, 4), garbage),
      failureThreshold: fc.oneof(fc.integer({ min: 0, max: 3 }), garbage),
    },
    { requiredKeys: [] },
  ),
  garbage,
);
type Call = { op: string; a?: unknown; b?: unknown };
const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ op: fc.constant('postTask'), a: taskSpec }),
  fc.record({ op: fc.constant('postTasks'), a: fc.oneof(fc.array(taskSpec, { maxLength: 4 }), garbage) }),
  fc.record({ op: fc.constant('spawnAgent'), a: agentSpec }),
  fc.record({
    op: fc.constantFrom('cancelTask', 'waitForTask'),
    a: id,
    b: fc.oneof(fc.record({ by: maybe(fc.constantFrom('alice', 'bob')) }), fc.record({ timeoutMs: fc.constantFrom(0, 1, 3) }), garbage),
  }),
  fc.record({ op: fc.constantFrom('pauseAgent', 'resumeAgent', 'stopAgent', 'heartbeat', 'getAgent', 'getTask'), a: id }),
  fc.record({
    op: fc.constantFrom('listTasks', 'listAgents', 'prune'),
    a: fc.oneof(
      fc.constant(undefined),
      fc.record({ status: fc.constantFrom('pending', 'completed'), limit: fc.integer({ min: -1, max: 5 }) }, { requiredKeys: [] }),
      garbage,
    ),
  }),
  fc.record({ op: fc.constant('status') }),
);

function invoke(hive: Hive, c: Call): Promise<unknown> {
  const fn = (hive as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[c.op]!;
  return (async () => fn.call(hive, c.a, c.b))();
}

/** What a restart must reproduce. Attempts running at close are re-dispatched on reopen (at least once), so live work is compared by its settled fields. */
function project(tasks: TaskView[], agents: Array<{ id: string; status: string; capabilities: string[]; level: number }>) {
  const active = new Set(['assigned', 'running']);
  return {
    tasks: tasks
      .map((t) => ({
        id: t.id,
        type: t.type,
        input: t.input,
        priority: t.priority,
        owner: t.owner,
        dependsOn: t.dependsOn,
        status: active.has(t.status) ? 'active' : t.status,
        output: t.output,
      }))
      .sort((x, y) => (x.id < y.id ? -1 : 1)),
    agents: agents.map((a) => ({ id: a.id, status: a.status === 'busy' ? 'idle' : a.status, capabilities: a.capabilities, level: a.level })),
  };
}

describe('public API under random and malformed calls', () => {
  it('every call succeeds or throws a HiveError with a code; the hive stays usable; a restart reproduces the state', async () => {
    let tried = 0;
    const handlers = {
      x: async (t: TaskView) => ({ echo: t.input }),
      y: async () => Promise.reject(Object.assign(new Error('y always fails'), { code: 'y_failed' })),
      slow: (_t: TaskView, ctx: { signal: AbortSignal }) =>
        new Promise<never>((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(call, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 10 }), async (groups) => {
        const dir = tempDir('hive-prop-');
        const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers, retentionMs: 0 });
        let before: ReturnType<typeof project>;
        try {
          for (const group of groups) {
            const results = await Promise.allSettled(group.map((c) => invoke(hive, c)));
            tried += group.length;
            for (const [i, r] of results.entries()) {
              if (r.status === 'rejected') {
                const ok = r.reason instanceof HiveError && typeof r.reason.code === 'string' && r.reason.message.length > 0;
                if (!ok) throw new Error(`${group[i]!.op} threw a non-HiveError: ${String(r.reason)}\n${(r.reason as Error)?.stack}`);
              }
            }
          }
          const probe = await hive.postTask({ type: 'probe' });
          expect((await hive.getTask(probe.id)).status).toBe('pending');
          // Let settled outcomes land before comparing.
          await new Promise((r) => setTimeout(r, 5));
          before = project(await hive.listTasks({ limit: 10_000 }), await hive.listAgents());
        } finally {
          await hive.close();
        }
        const again = await createHive({ dataDir: dir, logger: memoryLogger().logger });
        try {
          expect(project(await again.listTasks({ limit: 10_000 }), await again.listAgents())).toEqual(before);
        } finally {
          await again.close();
        }
      }),
      { numRuns: 250, seed: 20261121 },
    );
    console.log(`property test: ${tried} calls tried`);
    expect(tried).toBeGreaterThan(1000);
  }, 240_000);
});
