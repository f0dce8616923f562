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
