import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { agentMachine } from '../machines/agent.js';
import { compareAgents, effectivePriority, pickAgent } from '../machines/coordinator.js';
import { backoffFor, maxBackoffMs, taskMachine, type TaskInput } from '../machines/task.js';

const taskInput = (over: Partial<TaskInput> = {}): TaskInput => ({
  id: 't1',
  type: 'x',
  input: null,
  priority: 0,
  dependsOn: [],
  waitingOn: [],
  maxRetries: 1,
  backoffMs: 100,
  verify: false,
  order: 1,
  at: 10,
  ...over,
});

function run(input: TaskInput) {
  const actor = createActor(taskMachine, { input });
  const emitted: Array<{ type: string; [k: string]: unknown }> = [];
  actor.on('*', (e) => emitted.push(e as never));
  actor.start();
  return { actor, emitted };
}

describe('task machine (pure)', () => {
  it('declares its effects instead of performing them', () => {
    const { actor, emitted } = run(taskInput({ timeoutMs: 50 }));
    actor.send({ type: 'hive.assign', agentId: 'a', at: 20 });
    actor.send({ type: 'hive.start', at: 20 });
    expect(actor.getSnapshot().value).toBe('running');
    expect(emitted.map((e) => e.type)).toEqual(['task.posted', 'task.assigned', 'effect.execute', 'effect.timer.set', 'task.started']);
    expect(emitted[3]).toMatchObject({ timerId: 't1:timeout', due: 70, event: { type: 'hive.timeout', attempt: 1 } });
  });

  it('ignores outcomes of an attempt that is not the current one', () => {
    const { actor } = run(taskInput());
    actor.send({ type: 'hive.assign', agentId: 'a', at: 20 });
    actor.send({ type: 'hive.start', at: 20 });
    actor.send({ type: 'attempt.succeeded', attempt: 7, output: 1, at: 30 });
    expect(actor.getSnapshot().value).toBe('running');
    actor.send({ type: 'attempt.succeeded', attempt: 1, output: 1, at: 30 });
    expect(actor.getSnapshot().value).toBe('completed');
  });

  it('restores from a persisted snapshot without re-running entry effects', () => {
    const { actor } = run(taskInput());
    actor.send({ type: 'hive.assign', agentId: 'a', at: 20 });
    actor.send({ type: 'hive.start', at: 20 });
    const restored = createActor(taskMachine, { snapshot: actor.getPersistedSnapshot() as never, input: taskInput() });
    const emitted: string[] = [];
    restored.on('*', (e) => emitted.push(e.type));
    restored.start();
    expect(restored.getSnapshot().value).toBe('running');
    expect(emitted).toEqual([]);
  });

  it('computes backoff deterministically and caps it', () => {
    expect([1, 2, 3].map((n) => backoffFor(100, n))).toEqual([100, 200, 400]);
    expect(backoffFor(1000, 50)).toBe(maxBackoffMs);
  });
});

describe('agent machine (pure)', () => {
  it('tracks load between idle and busy', () => {
    const a = createActor(agentMachine, {
      input: {
        id: 'a',
        name: 'a',
        capabilities: ['x'],
        priority: 'normal',
        maxConcurrent: 2,
        level: 1,
        failureThreshold: 2,
        maxRestarts: 0,
        restartBackoffMs: 1,
        order: 1,
        at: 0,
      },
    });
    a.start();
    a.send({ type: 'hive.task.assigned', taskId: 't1', at: 1 });
    a.send({ type: 'hive.task.assigned', taskId: 't2', at: 2 });
    expect(a.getSnapshot()).toMatchObject({ value: 'busy', context: { load: 2, lastTaskAt: 2 } });
    a.send({ type: 'hive.task.released', taskId: 't1', outcome: 'succeeded', at: 3 });
    a.send({ type: 'hive.task.released', taskId: 't2', outcome: 'returned', at: 4 });
    expect(a.getSnapshot()).toMatchObject({ value: 'idle', context: { load: 0, succeeded: 1, failed: 0 } });
  });
});

describe('assignment policy (pure)', () => {
  const agent = (id: string, over: object = {}) => ({
    id,
    status: 'idle',
    priority: 'normal' as const,
    load: 0,
    maxConcurrent: 1,
    lastTaskAt: 0,
    order: 0,
    ...over,
  });
  it('orders by priority, load, least recent use, registration', () => {
    const list = [
      agent('late', { order: 2 }),
      agent('loaded', { load: 1, maxConcurrent: 2 }),
      agent('recent', { lastTaskAt: 5 }),
      agent('crit', { priority: 'critical', load: 0 }),
      agent('first', { order: 1 }),
    ];
    expect([...list].sort(compareAgents).map((a) => a.id)).toEqual(['crit', 'first', 'late', 'recent', 'loaded']);
    expect(pickAgent(list, ['crit'])?.id).toBe('first');
    expect(pickAgent([agent('p', { status: 'paused' })], [])).toBeUndefined();
  });
  it('adds deadline and blocking boosts to the base priority', () => {
    expect(effectivePriority({ priority: 5, urgent: true, blocking: 3 })).toBe(9);
    expect(effectivePriority({ priority: 0, urgent: false, blocking: 0 })).toBe(0);
  });
});
