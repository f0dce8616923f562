import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openHive, tempDir } from './helpers.js';

/** Runs the `hivestate` CLI from source; resolves with its exit status and output. */
function cli(args: string[], stdin = '', timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'src', 'cli', 'main.ts'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

async function recorded(): Promise<string> {
  const dir = tempDir();
  const hive = await openHive({ dataDir: dir, handlers: { x: async () => 1 } });
  await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
  await hive.waitForTask((await hive.postTask({ id: 't', type: 'x' })).id, { timeoutMs: 5000 });
  await hive.close();
  return dir;
}

describe('hivestate replay / serve', () => {
  it('verifies, steps interactively, exports, and reports errors in one line', async () => {
    const dir = await recorded();
    const verify = await cli(['replay', 'verify', dir]);
    expect(verify.stdout).toMatch(/^ok: 3 inputs replayed, \d+ stored actors match the checkpoint at input 3/);
    expect(verify.code).toBe(0);

    const step = await cli(['replay', 'step', dir], 'step\nstep\nactors task\nback\nshow agent:a\ndiff 1 3\nquit\n');
    expect(step.code).toBe(0);
    expect(step.stdout).toContain('at input 1 of 3 (agent.spawn)');
    expect(step.stdout).toContain('at input 2 of 3 (task.post)');
    expect(step.stdout).toMatch(/task:t\s+running/);
    expect(step.stdout).toContain('"status": "idle"');
    expect(step.stdout).toMatch(/changed agent:a/);

    const file = join(tempDir(), 'run.ndjson');
    const exported = await cli(['replay', 'export', file, dir]);
    expect(exported.stdout).toContain('3 inputs');
    expect(existsSync(file)).toBe(true);
    const actors = await cli(['replay', 'actors', file, '--at', '2', '--json']);
    expect(JSON.parse(actors.stdout)).toEqual(expect.arrayContaining([{ address: 'task:t', kind: 'task', status: 'running' }]));

    const missing = await cli(['replay', 'show', 'task:nope', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual(['hivestate: address: no actor task:nope after input 3']);
    const badSeq = await cli(['replay', 'actors', dir, '--at', 'x']);
    expect(badSeq.code).toBe(1);
    expect(badSeq.stderr).toMatch(/^hivestate: --at: must be a sequence number/);
  }, 60_000);

  it("prints an actor's history and why, and writes a what-if fork", async () => {
    const dir = tempDir();
    const hive = await openHive({
      dataDir: dir,
      handlers: {
        fetch: async () => {
          throw new Error('registry down');
        },
        build: async () => 'built',
      },
    });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['fetch', 'build'] });
    await hive.postTasks([
      { id: 'fetch', type: 'fetch', maxRetries: 0 },
      { id: 'build', type: 'build', dependsOn: ['fetch'] },
    ]);
    await hive.waitForTask('build', { timeoutMs: 5000 });
    await hive.close();

    const history = await cli(['replay', 'history', 'task:fetch', dir]);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^task:fetch: 2 inputs changed it/);
    expect(history.stdout).toMatch(/^#2 {2}\S+ {2}task.post {2}\(API call: created, hive.blocking, hive.assign, hive.start\) {2}\(created\) -> running$/m);
    const failed = /^#(\d+) {2}\S+ {2}attempt.failed {2}\(outcome: attempt.failed\) {2}running -> failed$/m.exec(history.stdout);
    expect(failed).not.toBeNull();
    expect(history.stdout).toContain('    error: (none) -> {"code":"handler_error","message":"registry down"}');
    const json = await cli(['replay', 'history', 'task:fetch', dir, '--json', '--from', String(Number(failed![1]) - 1)]);
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).input.type),
    ).toEqual(['attempt.failed']);

    const why = await cli(['replay', 'why', 'task:build', dir]);
    expect(why.code).toBe(0);
    expect(why.stdout).toMatch(/^why task:build is failed:$/m);
    expect(why.stdout).toMatch(/dependency task:fetch did not succeed, so this task failed/);
    expect(why.stdout).toMatch(/ {2}task:fetch: attempt 1 failed: handler_error: registry down; no retries left/);

    const forkDir = join(tempDir(), 'fork');
    const fork = await cli(['replay', 'fork', failed![1]!, forkDir, dir, '--replace', `${failed![1]}={"type":"attempt.succeeded","output":"pkg"}`]);
    expect(fork.code).toBe(0);
    expect(fork.stdout).toContain(`wrote fork ${forkDir}: inputs 1..${failed![1]} of ${dir}, input ${failed![1]} replaced`);
    const forked = await cli(['replay', 'actors', forkDir, '--json']);
    expect(JSON.parse(forked.stdout)).toEqual(
      expect.arrayContaining([
        { address: 'task:fetch', kind: 'task', status: 'completed' },
        { address: 'task:build', kind: 'task', status: 'running' },
      ]),
    );
    const bad = await cli(['replay', 'fork', failed![1]!, join(tempDir(), 'other'), dir, '--replace', `${failed![1]}={"type":"agent.pause"}`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^hivestate: replace\[\d+\]\.type: input \d+ is a attempt.failed \(attempt outcome\); a replacement must be one of/);
    const nothing = await cli(['replay', 'history', 'task:nope', dir]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/^hivestate: address: no input changed task:nope/);
  }, 60_000);

  it('serve prints its URL with a token and stops on SIGTERM; --help works', async () => {
    const dir = await recorded();
    const help = await cli(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--port <port>');
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'src', 'cli', 'main.ts'), 'serve', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('close', (code) => reject(new Error(`serve exited ${code}`)));
    });
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url.replace(/token=.*/, 'token=bad'))).status).toBe(401);
    const exited = new Promise((r) => child.on('close', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
