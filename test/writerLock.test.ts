import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHive, LockedError, LockLostError } from '../src/index.js';
import { HiveStore } from '../src/store/HiveStore.js';
import { runCli } from './cliRunner.js';
import { memoryLogger, tempDir, until } from './helpers.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const quiet = () => ({ logger: memoryLogger().logger });

/** A child process whose stdout lines are collected; `line(pred)` waits for the next matching one. */
function child(
  script: string,
  args: string[],
): { proc: ChildProcessWithoutNullStreams; lines: string[]; next: (pred: (l: string) => boolean) => Promise<string>; exited: Promise<NodeJS.Signals | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture(script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  }) as unknown as ChildProcessWithoutNullStreams;
  const lines: string[] = [];
  let waiters: Array<{ pred: (l: string) => boolean; resolve: (l: string) => void }> = [];
  let buf = '';
  proc.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      const w = waiters.find((x) => x.pred(line));
      if (w) {
        waiters = waiters.filter((x) => x !== w);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<NodeJS.Signals | null>((r) => proc.on('exit', (_code, signal) => r(signal)));
  return { proc, lines, exited, next: (pred) => new Promise((resolve) => waiters.push({ pred, resolve })) };
}

/** A pid no process has any more. */
function deadPid(): number {
  return spawnSync('true').pid!;
}

describe('writer lock', () => {
  it('processes racing to open over a stale lock file never both become writers (50 rounds)', async () => {
    const dir = tempDir();
    // Four racers on two cores: a racer is often preempted inside its open, which is where races show.
    const racers = Array.from({ length: 4 }, () => child('lockRacer.ts', [dir]));
    try {
      await Promise.all(racers.map((r) => r.next((l) => l === 'ready')));
      for (let round = 0; round < 50; round++) {
        // The file a killed writer leaves behind: its pid, long dead.
        writeFileSync(join(dir, 'hive.lock'), `${deadPid()}\n`);
        const answers = racers.map((r) => r.next((l) => l === 'writer' || l === 'locked' || l.startsWith('error')));
        // Start instants a fraction of a millisecond apart, a different spread each round.
        const at = Date.now() + 50;
        for (const r of racers) r.proc.stdin.write(`go ${at + Math.random() * 0.3}\n`);
        const got = await Promise.all(answers);
        expect(got.sort(), `round ${round}`).toEqual(['locked', 'locked', 'locked', 'writer']);
        const released = racers.map((r) => r.next((l) => l === 'released'));
        for (const r of racers) r.proc.stdin.write('release\n');
        await Promise.all(released);
      }
    } finally {
      for (const r of racers) r.proc.kill('SIGKILL');
    }
  }, 120_000);

  it('deleting hive.lock while a hive runs does not let a second hive open', async () => {
    const dir = tempDir();
    const holder = child('holdHive.ts', [dir]);
    try {
      await holder.next((l) => l === 'ready');
      rmSync(join(dir, 'hive.lock'));
      const err = await createHive({ dataDir: dir, ...quiet() }).then(
        async (second) => {
          await second.close();
          return new Error('a second hive opened the directory');
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(LockedError);
      expect((err as LockedError).message).toMatch(
        /in use by another process \(hive\.lock, which names it, is missing or stale; `ss -xlp \| grep 'hivestate-writer-lock:dev=\d+:ino=\d+'` shows it\)/,
      );
      // The holder writes its description again at its next checkpoint; then the error names it.
      await until(() => existsSync(join(dir, 'hive.lock')), 10_000);
      await expect(createHive({ dataDir: dir, ...quiet() })).rejects.toMatchObject({
        code: 'locked',
        pid: holder.proc.pid,
        message: expect.stringContaining(`in use by process ${holder.proc.pid} on `),
      });
    } finally {
      holder.proc.kill('SIGKILL');
    }
  });

  it('a lock file naming an unrelated live process (pid 1) blocks neither a hive nor the CLI', async () => {
    const dir = tempDir();
    const first = await createHive({ dataDir: dir, ...quiet() });
    await first.postTask({ id: 'before', type: 'x' });
    await first.close();
    writeFileSync(join(dir, 'hive.lock'), '1\n');
    const post = await runCli(['post', 'x', '--id', 'from-cli', '--data-dir', dir]);
    expect(post.stderr).toBe('');
    expect(post.code).toBe(0);
    writeFileSync(join(dir, 'hive.lock'), '1\n');
    const hive = await createHive({ dataDir: dir, ...quiet() });
    try {
      expect((await hive.listTasks()).map((t) => t.id).sort()).toEqual(['before', 'from-cli']);
      expect(readFileSync(join(dir, 'hive.lock'), 'utf8').split('\n')[0]).toBe(String(process.pid));
    } finally {
      await hive.close();
    }
    expect(existsSync(join(dir, 'hive.lock'))).toBe(false);
  });

  it('a holder killed with SIGKILL frees the lock at once, even while a process it started lives on', async () => {
    const dir = tempDir();
    const holder = child('holdHive.ts', [dir, '--grandchild']);
    const grandchild = Number((await holder.next((l) => l.startsWith('grandchild '))).split(' ')[1]);
    try {
      await holder.next((l) => l === 'ready');
      const err = await createHive({ dataDir: dir, ...quiet() }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'locked', pid: holder.proc.pid });
      expect((err as Error).message).toMatch(/its lock is released the moment it exits, even when killed, so there is no lock file to delete/);
      holder.proc.kill('SIGKILL');
      expect(await holder.exited).toBe('SIGKILL');
      expect(() => process.kill(grandchild, 0)).not.toThrow();
      const t0 = performance.now();
      const after = await createHive({ dataDir: dir, ...quiet() });
      expect(performance.now() - t0).toBeLessThan(2000);
      expect((await after.getAgent('holder')).name).toBe('holder');
      await after.close();
    } finally {
      holder.proc.kill('SIGKILL');
      try {
        process.kill(grandchild, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('a store that lost its lock refuses appends and checkpoints with LockLostError, recording nothing', async () => {
    const dir = tempDir();
    const store = HiveStore.open(dir);
    try {
      // Nothing outside the process can take the lock away; drop it from inside to check the guard.
      (store as unknown as { lock: { release(): void } }).lock.release();
      const input = { seq: 1, at: 1, input: { type: 'agent.heartbeat' as const, agentId: 'a' } };
      await expect(store.append(input)).rejects.toBeInstanceOf(LockLostError);
      await expect(
        store.writeCheckpoint({ seq: 1, at: 1, actors: [], timersSet: [], timersCleared: [], idempotencyKeys: [], pruned: [] }),
      ).rejects.toMatchObject({
        name: 'LockLostError',
        code: 'store_failure',
        mayHaveBeenRecorded: false,
        message: expect.stringContaining(`this process no longer holds the writer lock on ${dir}`),
      });
      expect(store.lastSeq()).toBe(0);
      expect(store.checkpoint()).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
