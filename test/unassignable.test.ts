import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHive, type Handler, type HiveEvent } from '../src/index.js';
import { runCli } from './cliRunner.js';
import { memoryLogger, openHive, settle, tempDir } from './helpers.js';

const echo: Handler = (t) => t.id;

describe('tasks no agent can run', () => {
  it("are marked waitingFor: 'capability' and announced once with task.unassignable; a capable agent clears the mark", async () => {
    const events: HiveEvent[] = [];
    const hive = await openHive({ handlers: { build: echo, lint: echo }, on: { 'task.unassignable': (e) => events.push(e) } });
    await hive.postTask({ id: 'b1', type: 'build' });
    await hive.spawnAgent({ id: 'linter', name: 'linter', capabilities: ['lint'] }); // another type: b1 stays unassignable
    await hive.postTasks([
      { id: 'l1', type: 'lint' },
      { id: 'b2', type: 'build' },
    ]);
    await hive.waitForTask('l1', { timeoutMs: 2000 });
    await settle();
    expect(await hive.getTask('b1')).toMatchObject({ status: 'pending', waitingFor: 'capability' });
    expect(events.map((e) => [e.taskId, e.waitingFor])).toEqual([
      ['b1', 'capability'],
      ['b2', 'capability'],
    ]);
    expect(events[0]).toMatchObject({ type: 'task.unassignable', taskType: 'build' });

    await hive.spawnAgent({ id: 'builder', name: 'builder', capabilities: ['build'] });
    expect(await hive.waitForTask('b1', { timeoutMs: 2000 })).toMatchObject({ status: 'completed' });
    expect((await hive.waitForTask('b2', { timeoutMs: 2000 })).waitingFor).toBeUndefined();
    expect(events).toHaveLength(2);
  });

  it('a capable agent that is only busy does not make a task unassignable; stopping the last one does', async () => {
    const events: HiveEvent[] = [];
    const hive = await openHive({
      handlers: { build: (_t, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))) },
      on: { 'task.unassignable': (e) => events.push(e) },
    });
    await hive.spawnAgent({ id: 'builder', name: 'builder', capabilities: ['build'] });
    await hive.postTasks([
      { id: 'b1', type: 'build' },
      { id: 'b2', type: 'build' },
    ]);
    await settle();
    expect(await hive.getTask('b2')).toMatchObject({ status: 'pending' });
    expect((await hive.getTask('b2')).waitingFor).toBeUndefined();
    await hive.stopAgent('builder');
    await settle();
    expect(await hive.getTask('b1')).toMatchObject({ status: 'pending', waitingFor: 'capability' });
    expect(await hive.getTask('b2')).toMatchObject({ status: 'pending', waitingFor: 'capability' });
    expect(events.map((e) => e.taskId).sort()).toEqual(['b1', 'b2']);
  });

  it("waiting for a detached agent is waitingFor: 'handler' until its handler is attached", async () => {
    const dataDir = tempDir();
    const first = await createHive({ dataDir, logger: memoryLogger().logger });
    await first.spawnAgent({ id: 'own', name: 'own', capabilities: ['job'], handler: echo });
    await first.close();
    const events: HiveEvent[] = [];
    const hive = await openHive({ dataDir, on: { 'task.unassignable': (e) => events.push(e) } });
    await hive.postTask({ id: 't', type: 'job' });
    expect(await hive.getTask('t')).toMatchObject({ status: 'pending', waitingFor: 'handler' });
    expect(events).toEqual([expect.objectContaining({ taskId: 't', waitingFor: 'handler' })]);
    await hive.attachHandler('own', echo);
    expect(await hive.waitForTask('t', { timeoutMs: 2000 })).toMatchObject({ status: 'completed' });
  });

  it('the mark survives a restart without being announced again', async () => {
    const dataDir = tempDir();
    const first = await createHive({ dataDir, logger: memoryLogger().logger });
    await first.postTask({ id: 't', type: 'nobody' });
    await first.close();
    const events: HiveEvent[] = [];
    const hive = await openHive({ dataDir, on: { 'task.unassignable': (e) => events.push(e) } });
    expect(await hive.getTask('t')).toMatchObject({ waitingFor: 'capability' });
    await hive.postTask({ id: 'other', type: 'nobody-either' });
    expect(events.map((e) => e.taskId)).toEqual(['other']);
  });

  it('hivestate dashboard shows them as "no capable agent"', async () => {
    const dir = join(tempDir(), 'data');
    expect((await runCli(['post', 'deploy', '--id', 'deploy:prod', '--data-dir', dir])).stdout).toBe('posted deploy:prod (pending)\n');
    const frame = await runCli(['dashboard', '--once', '--data-dir', dir]);
    expect(frame.stderr).toBe('');
    expect(frame.stdout).toMatch(/deploy:prod\s+0\s+deploy\s+waiting\s+no capable agent/);
    const tasks = JSON.parse((await runCli(['tasks', '--json', '--data-dir', dir])).stdout) as Array<{ id: string; waitingFor?: string }>;
    expect(tasks).toEqual([expect.objectContaining({ id: 'deploy:prod', waitingFor: 'capability' })]);
  });
});
