/** @module Phases and sessions: phase.completed and session.completed, hive.report() figures and health, and the queue limit. */
import { describe, expect, it } from 'vitest';
import { createHive, ManualClock, type Handler } from '../src/index.js';
import { gate, memoryLogger, openHive, settle, tempDir, until } from './helpers.js';

describe('phases and sessions', () => {
  it('emits phase.completed with counts when every task of a phase finished, then session.completed', async () => {
    const clock = new ManualClock(10_000);
    const events: Array<Record<string, unknown>> = [];
    const hive = await openHive({
      clock,
      handlers: { build: async (t) => (t.input === 'bad' ? Promise.reject(new Error('no')) : 'built'), test: async () => 'tested' },
    });
    hive.on('phase.completed', (e) => void events.push(e));
    hive.on('session.completed', (e) => void events.push(e));
    await hive.postTasks([
      { id: 'b1', type: 'build', phase: 'build' },
      { id: 'b2', type: 'build', phase: 'build', input: 'bad', maxRetries: 0 },
      { id: 't1', type: 'test', phase: 'test', dependsOn: ['b1'] },
    ]);
    expect((await hive.getTask('b1')).phase).toBe('build');
    let report = await hive.report();
    expect(report.phases).toEqual([
      { name: 'build', done: 0, total: 2, pct: 0 },
      { name: 'test', done: 0, total: 1, pct: 0 },
    ]);
    expect(report.remainingMs).toBeNull();
    clock.advance(3000);
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['build', 'test'], failureThreshold: 10 });
    await hive.waitForTask('t1', { timeoutMs: 5000 });
    await until(() => events.length === 3);
    expect(events).toEqual([
      expect.objectContaining({ type: 'phase.completed', phase: 'build', total: 2, done: 2, byStatus: { completed: 1, failed: 1 } }),
      expect.objectContaining({ type: 'phase.completed', phase: 'test', total: 1, done: 1, byStatus: { completed: 1 } }),
      expect.objectContaining({ type: 'session.completed', phases: 2, total: 3, at: 13_000 }),
    ]);
    report = await hive.report();
    expect(report).toMatchObject({
      phases: [
        { name: 'build', done: 2, total: 2, pct: 100 },
        { name: 'test', done: 1, total: 1, pct: 100 },
      ],
      agents: { active: 0, idle: 1, error: 0 },
      tasks: { completed: 2, failed: 1 },
      elapsedMs: 3000,
      remainingMs: 0,
      health: 'DEGRADED',
      issues: ['1 task ended without success (failed, timed out or rejected)'],
    });

    // A new task reopens its phase (and the session); its completion announces them again.
    await hive.postTask({ id: 'b3', type: 'build', phase: 'build' });
    await hive.waitForTask('b3', { timeoutMs: 5000 });
    await until(() => events.length === 5);
    expect(events.slice(3)).toEqual([
      expect.objectContaining({ type: 'phase.completed', phase: 'build', total: 3, done: 3 }),
      expect.objectContaining({ type: 'session.completed', total: 4 }),
    ]);
  });

  it('a retried task reopens its phase', async () => {
    let fail = true;
    const hive = await openHive({ handlers: { job: async () => (fail ? Promise.reject(new Error('no')) : 'ok') } });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['job'], failureThreshold: 10 });
    const completed: Array<Record<string, unknown>> = [];
    hive.on('phase.completed', (e) => void completed.push(e));
    await hive.postTask({ id: 'j', type: 'job', phase: 'only', maxRetries: 0 });
    await hive.waitForTask('j', { timeoutMs: 5000 });
    await until(() => completed.length === 1);
    fail = false;
    await hive.retryTask('j');
    expect((await hive.report()).phases).toEqual([{ name: 'only', done: 0, total: 1, pct: 0 }]);
    await until(() => completed.length === 2);
    expect(completed[1]).toMatchObject({ phase: 'only', byStatus: { completed: 1 } });
  });
});

describe('report health and the queue limit', () => {
  it('figures, DEGRADED under queue pressure and with an agent in error, CRITICAL with no available agent', async () => {
    const clock = new ManualClock(50_000);
    const hold = gate();
    const wait: Handler = async () => (await hold.promise, 'ok');
    const hive = await openHive({ clock, queueLimit: 2, handlers: { job: wait } });
    let report = await hive.report();
    expect(report).toEqual({
      phases: [],
      agents: { active: 0, idle: 0, error: 0, paused: 0, stopped: 0 },
      tasks: {},
      elapsedMs: 0,
      remainingMs: 0,
      health: 'HEALTHY',
      issues: [],
    });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['job'] });
    await hive.spawnAgent({ id: 'hb', name: 'hb', capabilities: ['mail'], heartbeatMs: 1000, maxRestarts: 0 });
    for (let i = 0; i < 4; i++) await hive.postTask({ id: `j${i}`, type: 'job' });
    expect(hive.isUnderPressure()).toBe(true);
    clock.advance(1000); // hb misses its heartbeat
    await until(async () => (await hive.getAgent('hb')).status === 'error');
    report = await hive.report();
    expect(report).toMatchObject({
      agents: { active: 1, idle: 0, error: 1 },
      tasks: { running: 1, pending: 3 },
      elapsedMs: 1000,
      remainingMs: null,
      health: 'DEGRADED',
      issues: ['1 agent in error: hb (missed heartbeat)', 'pending queue over its limit: 3 queued, queueLimit 2'],
    });
    hold.open();
    await hive.waitForTask('j0', { timeoutMs: 5000 });
    await until(async () => (await hive.status()).tasks.completed === 4);
    expect(hive.isUnderPressure()).toBe(false);
    report = await hive.report();
    expect(report).toMatchObject({ health: 'DEGRADED', issues: ['1 agent in error: hb (missed heartbeat)'], remainingMs: 0, tasks: { completed: 4 } });

    await hive.pauseAgent('w');
    await hive.postTask({ id: 'stuck', type: 'job' });
    clock.advance(1000);
    report = await hive.report();
    expect(report.health).toBe('CRITICAL');
    expect(report.issues[0]).toBe('no agent is available for 1 unfinished task');
    // 1 task open, 4 finished in 2000 ms since the session started: about 500 ms left.
    expect(report.remainingMs).toBe(500);
  });

  it('the queue limit is journaled: a reopen without the option keeps it, null removes it', async () => {
    const dataDir = tempDir();
    const open = (queueLimit?: number | null) => createHive({ dataDir, logger: memoryLogger().logger, ...(queueLimit === undefined ? {} : { queueLimit }) });
    let hive = await open(1);
    await hive.postTasks([{ type: 'job' }, { type: 'job' }]);
    expect(hive.isUnderPressure()).toBe(true);
    await hive.close();
    hive = await open();
    expect(hive.isUnderPressure()).toBe(true);
    expect((await hive.report()).issues).toContain('pending queue over its limit: 2 queued, queueLimit 1');
    await hive.close();
    hive = await open(null);
    expect(hive.isUnderPressure()).toBe(false);
    await hive.close();
    await expect(open(-1)).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('refuses a bad phase name', async () => {
    const hive = await openHive();
    await expect(hive.postTask({ type: 'job', phase: '' })).rejects.toMatchObject({ code: 'invalid_input' });
    await settle();
    expect((await hive.status()).tasks.total).toBe(0);
  });
});
