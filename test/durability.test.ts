/**
 * @module Durability seen from outside the store: with every disk flush slowed to 150 ms by an
 * LD_PRELOAD shim (test/fixtures/slowSync.c, built here with `cc`), postTask acknowledges only
 * after a flush that began after it was called, and concurrent calls share flushes (group commit).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const flushMs = 150;
const fixtures = join(import.meta.dirname, 'fixtures');

interface Call {
  start: number;
  end: number;
}

/** Compiles the shim into a temp dir; a missing compiler fails the test with what to install. */
function buildShim(dir: string): string {
  const out = join(dir, 'slowSync.so');
  const r = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-o', out, join(fixtures, 'slowSync.c'), '-ldl'], { encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('the durability test builds an LD_PRELOAD shim and needs a C compiler: `cc` was not found (Debian/Ubuntu: apt-get install gcc)');
  }
  if (r.status !== 0) throw new Error(`cc could not build the slow-sync shim (exit ${r.status}): ${r.stderr}`);
  return out;
}

/** Runs the child with the shim preloaded; returns its timings and the flushes the shim logged. */
async function runChild(dir: string, shim: string): Promise<{ sequential: Call[]; concurrent: Call[]; flushes: Call[] }> {
  const log = join(dir, 'flushes.log');
  const child = spawn(process.execPath, ['--import', 'tsx', join(fixtures, 'durabilityChild.ts'), join(dir, 'data'), '4', '20'], {
    env: { ...process.env, LD_PRELOAD: [shim, process.env.LD_PRELOAD].filter(Boolean).join(' '), SLOW_SYNC_MS: String(flushMs), SLOW_SYNC_LOG: log },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`durability child exited with ${code}: ${stderr}`);
  const last = stdout.trim().split('\n').at(-1)!;
  const flushes = existsSync(log)
    ? readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const [s, e] = l.split(' ').map((n) => Number(n) / 1e6);
          return { start: s!, end: e! };
        })
    : [];
  return { ...(JSON.parse(last) as { sequential: Call[]; concurrent: Call[] }), flushes };
}

/** True when a whole flush ran inside the call: begun after it was made, done before it resolved. */
const flushedWithin = (call: Call, flushes: Call[]) => flushes.some((f) => f.start >= call.start && f.end <= call.end);

describe.skipIf(process.platform !== 'linux')('durability (flushes slowed to 150 ms by an LD_PRELOAD shim)', () => {
  it('each postTask is acknowledged only after its own flush; 20 concurrent ones share a few', async () => {
    const dir = tempDir('hive-durability-');
    const { sequential, concurrent, flushes } = await runChild(dir, buildShim(dir));
    expect(flushes.length, 'the shim logged no flush: it was not preloaded or lmdb no longer syncs').toBeGreaterThan(0);

    expect(sequential).toHaveLength(4);
    for (const call of sequential) {
      expect(call.end - call.start).toBeGreaterThanOrEqual(flushMs - 10);
      expect(flushedWithin(call, flushes), `postTask acknowledged at +${(call.end - call.start).toFixed(1)} ms without a flush of its own`).toBe(true);
    }

    expect(concurrent).toHaveLength(20);
    const first = Math.min(...concurrent.map((c) => c.start));
    const total = Math.max(...concurrent.map((c) => c.end)) - first;
    expect(total).toBeGreaterThanOrEqual(flushMs - 10);
    // One flush each would take 20 x 150 ms; group commit needs one or two (one may already be
    // running). The margin is for a loaded machine, still far below serial commits.
    expect(total).toBeLessThan(6 * flushMs);
    for (const call of concurrent)
      expect(flushedWithin(call, flushes), `a concurrent postTask resolved at +${(call.end - first).toFixed(1)} ms without a flush begun after its call`).toBe(
        true,
      );
  });
});
