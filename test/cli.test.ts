import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openReadStore } from '../src/query/readStore.js';
import { runCli, startCli } from './cliRunner.js';
import { tempDir, until } from './helpers.js';

const commands = ['demo', 'status', 'report', 'agents', 'tasks', 'messages', 'audit', 'post', 'cancel', 'retry', 'signal', 'dashboard'];

/** A user mistake: exit status 1 and exactly one `hivestate: ...` line, no stack trace. */
function expectOneLineError(r: { code: number | null; stderr: string; stdout: string }, pattern: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^hivestate: /);
  expect(lines[0]).toMatch(pattern);
}

describe('hivestate CLI', () => {
  it('has --help on the program and on every command', async () => {
    const results = await Promise.all([runCli(['--help']), ...commands.map((c) => runCli([c, '--help']))]);
    expect(results[0]!.stdout).toMatch(/Commands:[\s\S]*demo[\s\S]*dashboard/);
    commands.forEach((c, i) => {
      const r = results[i + 1]!;
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(new RegExp(`^Usage: hivestate ${c} `));
    });
  });

  it('reports user mistakes as one line with a non-zero exit', async () => {
    const dir = tempDir();
    const [unknown, badOption, badChoice, badJson, missingDir, missingArg] = await Promise.all([
      runCli(['frobnicate']),
      runCli(['tasks', '--limit', 'lots', '--data-dir', dir]),
      runCli(['tasks', '--status', 'sleeping', '--data-dir', dir]),
      runCli(['post', 'build', '--input', '{oops', '--data-dir', dir]),
      runCli(['status', '--data-dir', join(dir, 'nothing-here')]),
      runCli(['cancel']),
    ]);
    expectOneLineError(unknown, /unknown command 'frobnicate'/);
    expectOneLineError(badOption, /--limit.*'lots' is invalid/);
    expectOneLineError(badChoice, /Allowed choices are delayed, pending/);
    expectOneLineError(badJson, /is not valid JSON/);
    expectOneLineError(missingDir, /no hive in .*nothing-here/);
    expectOneLineError(missingArg, /missing required argument 'id'/);
  });

  it('posts, lists, counts and cancels tasks on a directory no hive is running on', async () => {
    const dir = join(tempDir(), 'data');
    const posted = await runCli(['post', 'build', '--id', 'b1', '--input', '{"target":"ui"}', '--priority', 'high', '--data-dir', dir, '--json']);
    expect(posted.stderr).toBe('');
    expect(JSON.parse(posted.stdout)).toMatchObject({ id: 'b1', type: 'build', status: 'pending', priority: 5, input: { target: 'ui' } });
    expect((await runCli(['post', 'test', '--id', 't1', '--depends-on', 'b1', '--verify', '--data-dir', dir])).stdout).toBe('posted t1 (pending)\n');

    const status = await runCli(['status', '--data-dir', dir, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({
      tasks: { total: 2, pending: 2 },
      agents: { total: 0 },
      openAuctions: 0,
      predictions: { made: 2, scored: 0, winnerAccuracy: null },
    });
    expect((await runCli(['status', '--data-dir', dir])).stdout).toMatch(
      /\nauctions {2}0 open\ninsights {2}2 predictions, 0 scored: no agent scored yet, no duration scored yet\n/,
    );
    const tasks = JSON.parse((await runCli(['tasks', '--data-dir', dir, '--json'])).stdout) as Array<{ id: string }>;
    expect(tasks.map((t) => t.id)).toEqual(['t1', 'b1']);
    expect((await runCli(['tasks', '--data-dir', dir])).stdout).toMatch(/^ID\s+TYPE\s+STATUS[\s\S]*\nb1\s+build\s+pending\s+5/);

    expect((await runCli(['cancel', 'b1', '--data-dir', dir])).stdout).toBe('b1 cancelled\n');
    // Its dependent cannot run any more and ends too.
    const after = JSON.parse((await runCli(['tasks', '--data-dir', dir, '--json'])).stdout) as Array<{ id: string; status: string }>;
    expect(after.find((t) => t.id === 'b1')!.status).toBe('cancelled');
    expect(after.find((t) => t.id === 't1')!.status).not.toBe('pending');
    expectOneLineError(await runCli(['cancel', 'b1', '--data-dir', dir]), /already finished \(cancelled\)/);
    expectOneLineError(await runCli(['cancel', 'nope', '--data-dir', dir]), /no task with id "nope"/);
    expectOneLineError(await runCli(['post', 'build', '--id', 'b1', '--data-dir', dir]), /already exists/);
  });

  it('reads a directory another process holds, and refuses to write it naming that process', async () => {
    const dir = join(tempDir(), 'data');
    const holder = startCliFixture(dir);
    try {
      await until(() => holder.stdout().includes('ready'), 20_000);
      const [status, agents, post] = await Promise.all([
        runCli(['status', '--data-dir', dir, '--json']),
        runCli(['agents', '--data-dir', dir]),
        runCli(['post', 'noop', '--data-dir', dir]),
      ]);
      expect(JSON.parse(status.stdout)).toMatchObject({ agents: { total: 1, idle: 1 }, writerPid: holder.child.pid });
      expect(agents.stdout).toMatch(/\nholder\s+holder\s+idle\s+0\/1/);
      expectOneLineError(post, new RegExp(`in use by process ${holder.child.pid}`));
    } finally {
      holder.child.kill('SIGKILL');
      await holder.done;
    }
  });

  it('talks to a running demo: post and cancel over its control channel, dashboard and tasks read-only', async () => {
    const dir = join(tempDir(), 'data');
    const demo = startCli(['demo', '--data-dir', dir, '--speed', '1']);
    try {
      await until(() => / started /.test(demo.stdout()), 20_000);
      const posted = await runCli(['post', 'build', '--id', 'extra:docs', '--input', '{"target":"docs"}', '--priority', 'critical', '--data-dir', dir]);
      expect(posted.stderr).toBe('');
      expect(posted.stdout).toMatch(/^posted extra:docs \((pending|running)\)\n$/);
      const cancelled = await runCli(['cancel', 'release:notes', '--data-dir', dir]);
      expect(cancelled.stdout).toBe('release:notes cancelled\n');
      expectOneLineError(await runCli(['cancel', 'no-such-task', '--data-dir', dir]), /no task with id "no-such-task"/);

      // The demo's hive runs the posted task with its build handler.
      await until(() => / completed extra:docs/.test(demo.stdout()), 30_000);
      const dash = await runCli(['dashboard', '--once', '--data-dir', dir]);
      expect(dash.code).toBe(0);
      expect(dash.stdout).toMatch(/hivestate dashboard: /);
      expect(dash.stdout).toMatch(new RegExp(`read-only, hive running \\(pid ${demo.child.pid}\\)`));
      expect(dash.stdout).toMatch(/\nAGENTS\s+ROLE\s+STATUS\s+TASK/);
      expect(dash.stdout).toMatch(/\nQUEUE \(\d+ waiting\)/);
      expect(dash.stdout).toMatch(/\ntasks \d+\/32 done/);
    } finally {
      demo.child.kill('SIGINT');
    }
    const r = await demo.done;
    expect(r.code).toBe(130);
    const view = openReadStore(dir);
    try {
      expect(view.task('extra:docs')).toMatchObject({ status: 'completed', output: { artifact: 'extra/docs.out' } });
      expect(view.task('release:notes').status).toBe('cancelled');
    } finally {
      await view.close();
    }
  }, 60_000);
});

function startCliFixture(dir: string) {
  return startCliRaw([join(import.meta.dirname, 'fixtures', 'holdHive.ts'), dir]);
}

function startCliRaw(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  const done = new Promise((resolve) => child.on('close', resolve));
  return { child, stdout: () => stdout, done };
}
