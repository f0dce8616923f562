/** @module `hivestate report`: the session report of a data directory, read-only, as text or JSON. */
import { describe, expect, it } from 'vitest';
import { createHive, type SessionReport } from '../src/index.js';
import { runCli } from './cliRunner.js';
import { memoryLogger, tempDir } from './helpers.js';

describe('hivestate report', () => {
  it('prints the phases, health and issues of a directory no hive is running on', async () => {
    const dataDir = tempDir();
    const hive = await createHive({ dataDir, logger: memoryLogger().logger, queueLimit: 1, handlers: { build: async () => 'built' } });
    await hive.spawnAgent({ id: 'builder', name: 'builder', capabilities: ['build'] });
    await hive.postTask({ id: 'b1', type: 'build', phase: 'build' });
    await hive.waitForTask('b1', { timeoutMs: 5000 });
    // Two tests and nobody to run them: the queue is over its limit and no agent can take them.
    await hive.postTasks([
      { id: 't1', type: 'test', phase: 'test', dependsOn: ['b1'] },
      { id: 't2', type: 'test', phase: 'test' },
    ]);
    const live = await hive.report();
    await hive.close();

    const json = await runCli(['report', '--data-dir', dataDir, '--json']);
    expect(json.stderr).toBe('');
    const r = JSON.parse(json.stdout) as SessionReport;
    expect(r).toMatchObject({
      phases: [
        { name: 'build', done: 1, total: 1, pct: 100 },
        { name: 'test', done: 0, total: 2, pct: 0 },
      ],
      agents: { active: 0, idle: 1, error: 0 },
      tasks: { completed: 1, pending: 2 },
      health: 'DEGRADED',
      issues: live.issues,
    });
    expect(r.issues).toEqual(['pending queue over its limit: 2 queued, queueLimit 1', '2 queued tasks of type test can be taken by no agent']);

    const text = await runCli(['report', '--data-dir', dataDir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^session report: DEGRADED; phases: build 1\/1 \(100%\), test 0\/2 \(0%\)\n/);
    expect(text.stdout).toContain('  issue: pending queue over its limit: 2 queued, queueLimit 1\n');

    // `hivestate post --phase` adds a task to a phase (intake-only: nothing runs).
    expect((await runCli(['post', 'docs', '--id', 'd1', '--phase', 'release', '--data-dir', dataDir])).stdout).toBe('posted d1 (pending)\n');
    const after = JSON.parse((await runCli(['report', '--data-dir', dataDir, '--json'])).stdout) as SessionReport;
    expect(after.phases.at(-1)).toEqual({ name: 'release', done: 0, total: 1, pct: 0 });
  });
});
