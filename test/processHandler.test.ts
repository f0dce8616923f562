import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHiveError, processHandler } from '../src/index.js';
import { openHive, sleep, tempDir, until } from './helpers.js';

const node = process.execPath;

describe('processHandler', () => {
  it('sends the input as JSON on stdin and takes JSON stdout as the output', async () => {
    const script = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const x=JSON.parse(s);console.log(JSON.stringify({sum:x.a+x.b,attempt:process.env.HIVE_ATTEMPT}))})`;
    const hive = await openHive();
    await hive.spawnAgent({ name: 'adder', capabilities: ['add'], handler: processHandler({ command: node, args: ['-e', script] }) });
    const t = await hive.postTask({ type: 'add', input: { a: 2, b: 3 } });
    expect(await hive.waitForTask(t.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'completed', output: { sum: 5, attempt: '1' } });
  });

  it('a non-zero exit fails the attempt with the exit code and stderr', async () => {
    const hive = await openHive();
    await hive.spawnAgent({
      name: 'bad',
      capabilities: ['bad'],
      handler: processHandler({ command: node, args: ['-e', 'console.error("no such file"); process.exit(3)'] }),
    });
    const t = await hive.postTask({ type: 'bad', maxRetries: 0 });
    expect(await hive.waitForTask(t.id, { timeoutMs: 10_000 })).toMatchObject({
      status: 'failed',
      error: { code: 'exit_3', message: expect.stringContaining('no such file') },
    });
  });

  it('cancel kills the process', async () => {
    const hive = await openHive();
    await hive.spawnAgent({
      name: 'sleeper',
      capabilities: ['sleep'],
      handler: processHandler({ command: node, args: ['-e', 'console.log(process.pid); setTimeout(()=>{}, 60000)'], killGraceMs: 200 }),
    });
    const t = await hive.postTask({ type: 'sleep' });
    await until(async () => (await hive.getTask(t.id)).status === 'running');
    await sleep(200);
    const started = Date.now();
    await hive.cancelTask(t.id);
    expect((await hive.getTask(t.id)).status).toBe('cancelled');
    await until(async () => (await hive.getAgent((await hive.listAgents())[0]!.id)).load === 0);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a command that is not JSON on stdout fails with bad_output', async () => {
    const hive = await openHive();
    await hive.spawnAgent({ name: 'chatty', capabilities: ['chat'], handler: processHandler({ command: node, args: ['-e', 'console.log("hello")'] }) });
    const t = await hive.postTask({ type: 'chat', maxRetries: 0 });
    expect(await hive.waitForTask(t.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'failed', error: { code: 'bad_output' } });
  });

  it('refuses bad options with a typed error, and a command that cannot start fails with spawn_failed', async () => {
    for (const bad of [
      { command: '' },
      { command: 'sh', maxOutputBytes: 0 },
      { command: 'sh', args: [1] },
      { command: 'sh', killGraceMs: -1 },
      { command: 'sh', env: { A: 1 } },
      { command: 'sh', shell: true },
    ]) {
      expect(
        isHiveError(
          catchError(() => processHandler(bad as never)),
          'invalid_input',
        ),
        JSON.stringify(bad),
      ).toBe(true);
    }
    const hive = await openHive();
    await hive.spawnAgent({ name: 'ghost', capabilities: ['ghost'], handler: processHandler({ command: '/nonexistent/command' }) });
    const t = await hive.postTask({ type: 'ghost', maxRetries: 0 });
    expect(await hive.waitForTask(t.id, { timeoutMs: 5000 })).toMatchObject({ status: 'failed', error: { code: 'spawn_failed' } });
  });

  it('stdout beyond maxOutputBytes (default 16 MiB) kills the command and fails with output_too_large', async () => {
    const hive = await openHive();
    await hive.spawnAgent({ name: 'flood', capabilities: ['flood'], handler: processHandler({ command: 'sh', args: ['-c', 'yes | head -c 40000000'] }) });
    await hive.spawnAgent({ name: 'small', capabilities: ['small'], handler: processHandler({ command: 'sh', args: ['-c', 'yes'], maxOutputBytes: 1000 }) });
    const flood = await hive.postTask({ type: 'flood', maxRetries: 0 });
    const small = await hive.postTask({ type: 'small', maxRetries: 0 });
    expect(await hive.waitForTask(flood.id, { timeoutMs: 10_000 })).toMatchObject({
      status: 'failed',
      error: { code: 'output_too_large', message: expect.stringContaining('16777216') },
    });
    expect(await hive.waitForTask(small.id, { timeoutMs: 10_000 })).toMatchObject({
      status: 'failed',
      error: { code: 'output_too_large', message: expect.stringContaining('1000 bytes') },
    });
  });

  it('a timeout kills the whole process group, even children that ignore SIGTERM', async () => {
    const dir = tempDir();
    const pids = join(dir, 'pids');
    const script = `trap '' TERM; sleep 300 & echo $! > ${pids}; echo $$ >> ${pids}; wait`;
    const hive = await openHive();
    await hive.spawnAgent({ name: 'sh', capabilities: ['sh'], handler: processHandler({ command: 'sh', args: ['-c', script], killGraceMs: 200 }) });
    const t = await hive.postTask({ type: 'sh', timeoutMs: 300, maxRetries: 0 });
    await until(() => existsSync(pids) && readFileSync(pids, 'utf8').trim().split('\n').length === 2);
    const started = Date.now();
    expect((await hive.waitForTask(t.id, { timeoutMs: 5000 })).status).toBe('timed_out');
    const [grandchild, child] = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    await until(() => !running(grandchild!) && !running(child!), 3000);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a background child left holding stdout does not hold the attempt: it completes and the child is killed', async () => {
    const dir = tempDir();
    const pids = join(dir, 'pids');
    const hive = await openHive();
    const script = `sleep 300 & echo $! > ${pids}; echo '{"a":1}'`;
    await hive.spawnAgent({ name: 'sh', capabilities: ['sh'], handler: processHandler({ command: 'sh', args: ['-c', script], killGraceMs: 200 }) });
    const t = await hive.postTask({ type: 'sh', maxRetries: 0 });
    expect(await hive.waitForTask(t.id, { timeoutMs: 3000 })).toMatchObject({ status: 'completed', output: { a: 1 } });
    const grandchild = Number(readFileSync(pids, 'utf8'));
    await until(() => !running(grandchild), 3000);
  });

  it('close() returns in bounded time even when a process outside the group holds stdout', async () => {
    const dir = tempDir();
    const pids = join(dir, 'pids');
    const hive = await openHive();
    const script = `setsid sleep 300 & echo $! > ${pids}; sleep 300`;
    await hive.spawnAgent({ name: 'sh', capabilities: ['sh'], handler: processHandler({ command: 'sh', args: ['-c', script], killGraceMs: 200 }) });
    const t = await hive.postTask({ type: 'sh' });
    await until(() => existsSync(pids) && readFileSync(pids, 'utf8').trim() !== '');
    await until(async () => (await hive.getTask(t.id)).status === 'running');
    const escaped = Number(readFileSync(pids, 'utf8'));
    try {
      const started = Date.now();
      const closed = await Promise.race([hive.close({ timeoutMs: 60_000 }).then(() => true), sleep(5000).then(() => false)]);
      expect(closed).toBe(true);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      if (running(escaped)) process.kill(escaped, 'SIGKILL');
    }
  });
});

/** True while `pid` is a live process (a zombie waiting to be reaped counts as gone). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
