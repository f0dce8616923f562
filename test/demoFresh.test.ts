/** @module `hivestate demo --fresh` starts over on a hive directory (and refuses anything else); elapsed time counts only while the demo runs. */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../src/demo/buildTeam.js';
import { openReadStore } from '../src/query/readStore.js';
import { runCli, startCli } from './cliRunner.js';
import { sleep, tempDir, until } from './helpers.js';

const planSize = buildPlan({ speed: 1 }).length;
/** Seconds in a `m:ss` duration as the demo prints it. */
const seconds = (text: string) => {
  const [m, s] = text.split(':').map(Number);
  return m! * 60 + s!;
};

describe('hivestate demo --fresh and elapsed time', () => {
  it('counts only the time a demo process ran, across a stop; --fresh then starts over', async () => {
    const dir = join(tempDir('hive-demo-'), 'data');
    const first = startCli(['demo', '--data-dir', dir, '--speed', '6']);
    await until(() => (first.stdout().match(/ (completed|verified) /g) ?? []).length >= 3, 40_000);
    await sleep(1500);
    first.child.kill('SIGINT');
    const stopped = await first.done;
    const ranFirst = seconds(/stopped after (\d+:\d\d)/.exec(stopped.stderr)![1]!);
    expect(ranFirst).toBeGreaterThanOrEqual(3);

    await sleep(4000); // stopped: this must not count
    const t = Date.now();
    const second = await startCli(['demo', '--data-dir', dir, '--speed', '30']).done;
    const secondWall = (Date.now() - t) / 1000;
    expect(second.code).toBe(0);
    const total = seconds(/finished .* in (\d+:\d\d) after resuming/.exec(second.stdout)![1]!);
    expect(total).toBeGreaterThanOrEqual(ranFirst);
    expect(total).toBeLessThanOrEqual(ranFirst + Math.ceil(secondWall) + 1);

    const fresh = await startCli(['demo', '--fresh', '--data-dir', dir, '--speed', '30']).done;
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/starting build orchestration/);
    expect(fresh.stdout).not.toMatch(/after resuming/);
    expect(seconds(/finished .* in (\d+:\d\d)/.exec(fresh.stdout)![1]!)).toBeLessThanOrEqual(Math.ceil(secondWall) + 2);
    const view = openReadStore(dir);
    try {
      expect(view.tasks({ limit: 1000 })).toHaveLength(planSize);
      for (const task of view.tasks({ limit: 1000 })) expect(task.redispatches).toBe(0);
    } finally {
      await view.close();
    }
  }, 120_000);

  it('--fresh refuses a directory that is not a hive directory and deletes nothing', async () => {
    const dir = tempDir('not-a-hive-');
    writeFileSync(join(dir, 'thesis.tex'), 'precious');
    mkdirSync(join(dir, 'figures'));
    const r = await runCli(['demo', '--fresh', '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^hivestate: --data-dir: .* does not look like a hive data directory \(it holds (thesis\.tex, figures|figures, thesis\.tex)\); --fresh deletes only hive directories/,
    );
    expect(readdirSync(dir).sort()).toEqual(['figures', 'thesis.tex']);
    const file = join(dir, 'thesis.tex');
    const onFile = await runCli(['demo', '--fresh', '--data-dir', file]);
    expect(onFile.stderr).toMatch(/is a file, not a hive data directory/);
  }, 30_000);
});
