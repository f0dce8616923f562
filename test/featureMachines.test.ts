/** @module The pure machines behind delays, signals, schedules and rate limits, stepped without a kernel. */
import { describe, expect, it } from 'vitest';
import { createActor, type AnyStateMachine } from 'xstate';
import { rateLimitMachine } from '../machines/rateLimit.js';
import { scheduleMachine, type ScheduleSpec } from '../machines/schedule.js';
import { taskMachine, type TaskInput } from '../machines/task.js';

function run(machine: AnyStateMachine, input: unknown) {
  const actor = createActor(machine, { input });
  const emitted: Array<{ type: string; [k: string]: unknown }> = [];
  actor.on('*', (e) => emitted.push(e as never));
  actor.start();
  return { actor, emitted, take: () => emitted.splice(0) };
}

const task = (over: Partial<TaskInput> = {}): TaskInput => ({
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

describe('feature machines (pure)', () => {
  it('task: delayMs starts delayed with a timer for at + delayMs; the timer takes it to pending', () => {
    const { actor, take } = run(taskMachine, task({ delayMs: 90 }));
    expect(actor.getSnapshot().value).toBe('delayed');
    expect(actor.getSnapshot().context.spec.runAt).toBe(100);
    expect(take().find((e) => e.type === 'effect.timer.set')).toMatchObject({ timerId: 't1:due', due: 100, event: { type: 'hive.due' } });
    actor.send({ type: 'hive.due', at: 100 });
    expect(actor.getSnapshot().value).toBe('pending');
    expect(take()).toEqual([{ type: 'effect.timer.cancel', timerId: 't1:due' }]);
  });

  it('task: a stale signal timeout (from an earlier wait) re-arms the current one instead of ending it', () => {
    const { actor, take } = run(taskMachine, task());
    actor.send({ type: 'hive.assign', agentId: 'a', at: 20 });
    actor.send({ type: 'hive.start', at: 20 });
    actor.send({ type: 'attempt.waiting', attempt: 1, name: 'go', timeoutMs: 1000, at: 30 });
    expect(actor.getSnapshot().value).toBe('waiting');
    take();
    actor.send({ type: 'hive.signal.timeout', name: 'go', until: 500, at: 600 });
    expect(actor.getSnapshot().value).toBe('waiting');
    expect(take()).toEqual([
      { type: 'effect.timer.set', timerId: 't1:signal', due: 1030, target: 'task:t1', event: { type: 'hive.signal.timeout', name: 'go', until: 1030 } },
    ]);
    actor.send({ type: 'hive.signal.timeout', name: 'go', until: 1030, at: 1030 });
    expect(actor.getSnapshot()).toMatchObject({ value: 'pending', context: { signalTimeouts: ['go'] } });
  });

  it('schedule: fires only the slot it armed; a stale firing re-arms the current slot', () => {
    const spec: ScheduleSpec = {
      id: 's',
      every: 1000,
      overlap: 'skip',
      task: { type: 'x', input: null, priority: 0, maxRetries: 0, backoffMs: 0, verify: false },
    };
    const { actor, take } = run(scheduleMachine, { spec, at: 10 });
    expect(take()).toEqual([{ type: 'effect.schedule.plan', scheduleId: 's', after: 10 }]);
    actor.send({ type: 'hive.schedule.planned', nextAt: 1000, at: 10 });
    expect(take()).toEqual([
      { type: 'effect.timer.set', timerId: 's:schedule', due: 1000, target: 'schedule:s', event: { type: 'hive.schedule.fire', slot: 1000 } },
    ]);
    actor.send({ type: 'hive.schedule.fire', slot: 0, at: 1000 });
    expect(take().map((e) => e.type)).toEqual(['effect.timer.set']);
    actor.send({ type: 'hive.schedule.fire', slot: 1000, at: 1000 });
    expect(take()).toEqual([{ type: 'effect.schedule.fire', scheduleId: 's', slot: 1000 }]);
    actor.send({ type: 'hive.schedule.fired', slot: 1000, taskId: 's@x', nextAt: 2000, at: 1000 });
    expect(actor.getSnapshot().context).toMatchObject({ fired: 1, lastTaskId: 's@x', nextAt: 2000 });
    expect(take().map((e) => e.type)).toEqual(['schedule.fired', 'effect.timer.set']);
    actor.send({ type: 'schedule.pause', at: 1500 });
    expect(take()).toEqual([{ type: 'effect.timer.cancel', timerId: 's:schedule' }]);
    actor.send({ type: 'schedule.resume', at: 5500 });
    expect(take()).toEqual([{ type: 'effect.schedule.plan', scheduleId: 's', after: 5500 }]);
  });

  it('rate limit: keeps at most max starts in the window, arms a timer when full, re-arms after a stale reopen', () => {
    const { actor, take } = run(rateLimitMachine, { taskType: 'x', max: 2, perMs: 1000, at: 0 });
    actor.send({ type: 'hive.ratelimit.start', at: 100 });
    expect(take()).toEqual([]);
    actor.send({ type: 'hive.ratelimit.start', at: 300 });
    expect(take()).toEqual([{ type: 'effect.timer.set', timerId: 'x:ratelimit', due: 1100, target: 'ratelimit:x', event: { type: 'hive.ratelimit.reopen' } }]);
    actor.send({ type: 'hive.ratelimit.reopen', at: 900 });
    expect(take().map((e) => e.type)).toEqual(['effect.timer.set']);
    actor.send({ type: 'hive.ratelimit.reopen', at: 1100 });
    expect(actor.getSnapshot().context.starts).toEqual([300]);
    expect(take()).toEqual([]);
  });
});
