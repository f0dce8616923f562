/** @module rawXstate: the baseline, hivestate's task machine run by XState alone (no journal, no kernel). */
import { createActor } from 'xstate';
import { taskMachine } from '../../machines/task.js';

/**
 * The input `machines/task.ts` is created with, for a no-op task with no dependencies. The one place
 * to change when the machine's input shape changes; every lifecycle here builds its input with it.
 * @example createActor(taskMachine, { input: taskInput('t1', 1) })
 */
export function taskInput(id: string, at: number) {
  return { id, type: 'noop', input: null, priority: 0, dependsOn: [], waitingOn: [], maxRetries: 2, backoffMs: 1000, verify: false, order: at, at };
}

/**
 * Events per second delivered to one started task actor (progress events while it runs).
 * @example const perSec = xstateEventsPerSecond(200_000)
 */
export function xstateEventsPerSecond(events: number): number {
  const actor = createActor(taskMachine, { input: taskInput('t', 1) });
  actor.start();
  actor.send({ type: 'hive.assign', agentId: 'a', at: 2 });
  actor.send({ type: 'hive.start', at: 3 });
  const t0 = performance.now();
  for (let i = 0; i < events; i++) actor.send({ type: 'attempt.progress', attempt: 1, pct: i % 100, at: 4 + i });
  const s = (performance.now() - t0) / 1000;
  if (actor.getSnapshot().value !== 'running') throw new Error('the task left running');
  actor.stop();
  return events / s;
}

/**
 * Task lifecycles per second: create + start an actor, assign, start, succeed (completed), stop.
 * @example const perSec = xstateLifecyclesPerSecond(100_000)
 */
export function xstateLifecyclesPerSecond(tasks: number): number {
  const t0 = performance.now();
  for (let i = 0; i < tasks; i++) {
    const actor = createActor(taskMachine, { input: taskInput(`t${i}`, i) });
    actor.start();
    actor.send({ type: 'hive.assign', agentId: 'a', at: i + 1 });
    actor.send({ type: 'hive.start', at: i + 2 });
    actor.send({ type: 'attempt.succeeded', attempt: 1, output: null, at: i + 3 });
    if (actor.getSnapshot().value !== 'completed') throw new Error(`task ${i} did not complete`);
    actor.stop();
  }
  return tasks / ((performance.now() - t0) / 1000);
}
