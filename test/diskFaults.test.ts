import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { buildSyncFailShim, syncFailMarkerEnv } from '../scripts/faults/buildSyncFailShim.js';
import { createHive } from '../src/index.js';
import { memoryLogger } from './helpers.js';

interface Refusal {
  id?: string;
  name: string;
  code: string;
  message: string;
  mayHaveBeenRecorded?: boolean;
}
interface Closed {
  phase: 'closed';
  acked: string[];
  rejected: Array<Refusal & { id: string }>;
  afterFailure: Refusal;
  closeMs: number | 'hung';
  unhandled: string[];
}
interface Reopened {
  phase: 'reopened';
  tasks?: string[];
  posted?: string | Refusal;
  error?: unknown;
  closeMs?: number | 'hung';
  unhandled: string[];
}

/** Runs test/fixtures/faultyHive.ts: its report after the failure, then (once `between` ran) its report after reopening. */
async function runFaultyHive(
  args: string[],
  env: Record<string, string>,
  between: () => void,
): Promise<{ closed: Closed; reopened: Reopened; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'faultyHive.ts'), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  onTestFinished(() => void child.kill('SIGKILL'));
  const reports: Array<Closed | Reopened> = [];
  let waiting: (() => void) | undefined;
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      reports.push(JSON.parse(buf.slice(0, nl)) as Closed | Reopened);
      buf = buf.slice(nl + 1);
      waiting?.();
    }
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const report = async (n: number) => {
    while (reports.length < n) {
      const ended = await Promise.race([new Promise<false>((r) => (waiting = () => r(false))), exited.then(() => true)]);
      if (ended && reports.length < n) throw new Error(`the child exited before report ${n}: ${stderr}`);
    }
    return reports[n - 1]!;
  };
  const closed = (await report(1)) as Closed;
  between();
  child.stdin.write('reopen\n');
  const reopened = (await report(2)) as Reopened;
  return { closed, reopened, code: await exited };
}

/** What every store failure must look like to callers, and after reopening. */
function expectHonestFailure(closed: Closed, reopened: Reopened): void {
  expect(closed.unhandled).toEqual([]);
  expect(closed.rejected.length).toBeGreaterThan(0);
  for (const r of closed.rejected) expect(r, r.message).toMatchObject({ name: 'StoreError', code: 'store_failure' });
  expect(closed.afterFailure).toMatchObject({ code: 'store_failure', message: expect.stringContaining('intake stopped'), mayHaveBeenRecorded: false });
  // close() returns, and releases the lock: the same process opens the directory again.
  expect(closed.closeMs).not.toBe('hung');
  expect(closed.closeMs).toBeLessThan(5000);
  expect(reopened.error).toBeUndefined();
  expect(reopened.unhandled).toEqual([]);
  expect(reopened.posted).toBe('after-reopen');
  const seen = new Set(reopened.tasks);
  for (const id of closed.acked) expect(seen.has(id), `acknowledged ${id} lost`).toBe(true);
  // A rejected call has not happened, unless its rejection said it may have.
  for (const r of closed.rejected) {
    if (r.mayHaveBeenRecorded) expect(r.message).toMatch(/may have been recorded/);
    else expect(seen.has(r.id), `${r.id} was rejected as not recorded, yet it is there: ${r.message}`).toBe(false);
  }
  expect(seen.has('after-failure')).toBe(false);
}

/** Another process (this one) opens the directory afterwards and sees every acknowledged task. */
async function expectReopenSees(dataDir: string, ids: string[]): Promise<void> {
  const hive = await createHive({ dataDir, logger: memoryLogger().logger });
  try {
    const seen = new Set((await hive.listTasks({ limit: 1_000_000 })).map((t) => t.id));
    expect(ids.filter((id) => !seen.has(id))).toEqual([]);
  } finally {
    await hive.close();
  }
}

describe('store failures from outside the process', () => {
  it('a full disk (8 MB tmpfs): typed error, intake stops, no unhandled rejection, close() returns, and reopening after freeing space keeps every acknowledged task', async (ctx) => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'hive-tmpfs-'));
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint], { encoding: 'utf8' });
    if (mount.status !== 0) {
      rmSync(mountPoint, { recursive: true, force: true });
      return ctx.skip(`cannot mount an 8 MB tmpfs to fill (needs root): ${(mount.stderr || mount.error?.message || '').trim()}`);
    }
    onTestFinished(() => {
      // Lazy: the child may still be exiting with files open there.
      spawnSync('umount', ['-l', mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });
    const filler = join(mountPoint, 'filler');
    writeFileSync(filler, Buffer.alloc(2 * 1024 * 1024));
    const dataDir = join(mountPoint, 'data');

    const { closed, reopened, code } = await runFaultyHive(['full', dataDir], {}, () => rmSync(filler));
    expectHonestFailure(closed, reopened);
    expect(closed.acked.length).toBeGreaterThan(100);
    expect(closed.rejected[0]!.message).toMatch(/No space left on device|Input\/output error|MDB_MAP_FULL/);
    expect(code).toBe(0);
    await expectReopenSees(dataDir, [...closed.acked, 'after-reopen']);
  }, 120_000);

  it('an fdatasync that fails with EIO: rejections say the input may have been recorded, and it is there after reopening', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'hive-eio-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const shim = buildSyncFailShim(dir);
    if ('unavailable' in shim) return ctx.skip(shim.unavailable);
    const marker = join(dir, 'fail-syncs-now');
    const dataDir = join(dir, 'data');

    const { closed, reopened, code } = await runFaultyHive(['eio', dataDir, marker], { LD_PRELOAD: shim.path, [syncFailMarkerEnv]: marker }, () => undefined);
    expectHonestFailure(closed, reopened);
    expect(closed.acked.filter((id) => id.startsWith('ok'))).toHaveLength(20);
    expect(closed.rejected.length).toBe(10);
    for (const r of closed.rejected) {
      expect(r).toMatchObject({
        mayHaveBeenRecorded: true,
        message: expect.stringMatching(/Input\/output error .*may have been recorded: it reached the data file but was not confirmed durable/),
      });
    }
    // Recorded but not confirmed: each of them is visible after reopening, as the rejection said it could be.
    for (const r of closed.rejected) expect(reopened.tasks).toContain(r.id);
    expect(code).toBe(0);
    await expectReopenSees(dataDir, [...closed.acked, ...closed.rejected.map((r) => r.id), 'after-reopen']);
  }, 120_000);
});
