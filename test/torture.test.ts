import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('torture (short)', () => {
  it('10 seeded SIGKILL cycles end with every invariant holding', () => {
    const script = join(import.meta.dirname, '..', 'scripts', 'torture.ts');
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--cycles', '10', '--seed', '20261121'], { encoding: 'utf8', timeout: 240_000 });
    const summaryLine = run.stdout.split('\n').find((l) => l.startsWith('{"bench":"torture"'));
    expect(summaryLine, `${run.stdout}\n${run.stderr}`).toBeDefined();
    const summary = JSON.parse(summaryLine!) as Record<string, number>;
    expect(summary).toMatchObject({ cycles: 10, kills: 10, violations: 0 });
    expect(summary.acknowledged).toBeGreaterThan(100);
    expect(summary.tasks).toBeGreaterThanOrEqual(summary.acknowledged!);
    expect(run.status).toBe(0);
  }, 300_000);

  it('remote mode: 4 cycles killing the hive and worker processes over NATS end with every invariant holding', () => {
    const script = join(import.meta.dirname, '..', 'scripts', 'torture.ts');
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--remote', '--cycles', '4', '--seed', '20261122'], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    const summaryLine = run.stdout.split('\n').find((l) => l.startsWith('{"bench":"torture"'));
    expect(summaryLine, `${run.stdout}\n${run.stderr}`).toBeDefined();
    const summary = JSON.parse(summaryLine!) as Record<string, number>;
    expect(summary).toMatchObject({ cycles: 4, kills: 4, remote: true, violations: 0 });
    expect(summary.workerKills).toBeGreaterThan(0);
    expect(summary.acknowledged).toBeGreaterThan(50);
    expect(run.status).toBe(0);
  }, 300_000);
});
