/**
 * @module Test helper for the corruption, doctor and backup tests: builds a real, closed hive
 * directory, copies it with one byte of its data file changed, and reads hives back in a child
 * process (test/fixtures/readHives.ts) so a crash fails one case instead of the run.
 */
import { spawn } from 'node:child_process';
import { cpSync, openSync, readSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { createHive, type TaskView } from '../src/index.js';
import { memoryLogger } from './helpers.js';

/** What `buildHive` stored: every acknowledged task id, and each task as a reopened hive shows it. */
export interface BuiltHive {
  dir: string;
  ids: string[];
}

/**
 * A closed hive in `dir` whose tasks no longer change on reopen: some completed (one with an
 * output big enough for LMDB overflow pages, one with an idempotency key), the rest pending with no
 * capable agent; some finished before a compaction, some posted after the last periodic checkpoint.
 */
export async function buildHive(dir: string): Promise<BuiltHive> {
  const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers: { x: async (t) => ({ got: t.input }) } });
  await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['x'] });
  const old = await hive.postTasks(Array.from({ length: 10 }, (_, i) => ({ id: `old${i}`, type: 'x', input: i })));
  await Promise.all(old.map((t) => hive.waitForTask(t.id, { timeoutMs: 5000 })));
  await hive.prune({ before: Date.now() + 1, compactJournal: true });
  const done = await hive.postTasks(
    Array.from({ length: 24 }, (_, i) => ({
      id: `t${i}`,
      type: 'x',
      ...(i % 5 === 0 ? { idempotencyKey: `k${i}` } : {}),
      input: { n: i, s: 'hello '.repeat(i === 3 ? 900 : i % 4) },
    })),
  );
  await Promise.all(done.map((t) => hive.waitForTask(t.id, { timeoutMs: 5000 })));
  await hive.checkpoint();
  const pending = await hive.postTasks(Array.from({ length: 12 }, (_, i) => ({ id: `u${i}`, type: 'y', input: i })));
  await hive.close();
  return { dir, ids: [...done, ...pending].map((t) => t.id) };
}

/** Copies `from` to `to`, XOR-ing the byte at `position` of hive.lmdb with `mask` (1-255). */
export function copyWithFlip(from: string, to: string, position: number, mask: number): void {
  cpSync(from, to, { recursive: true });
  const fd = openSync(join(to, 'hive.lmdb'), 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, position);
    b[0]! ^= mask;
    writeSync(fd, b, 0, 1, position);
  } finally {
    closeSync(fd);
  }
}

/** A small deterministic generator (mulberry32), so the sampled positions are the same every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** How reading one hive ended. */
export type ReadResult = { ok: Record<string, TaskView> } | { error: { name: string; code?: string; typed: boolean; message: string } } | { crashed: string };

/**
 * Opens each directory in a child process, reads `ids` back with getTask and closes it. A child
 * that dies (a signal, or exiting mid-case) marks that case `crashed` and a new child takes the rest.
 */
export async function readHives(dirs: string[], ids: string[]): Promise<ReadResult[]> {
  const results: ReadResult[] = [];
  while (results.length < dirs.length) {
    const rest = dirs.slice(results.length);
    const { lines, status } = await new Promise<{ lines: string[]; status: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'readHives.ts')], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.stdin.end(rest.map((dir) => JSON.stringify({ dir, ids })).join('\n') + '\n');
      child.on('close', (code, signal) =>
        resolve({ lines: out.split('\n').filter(Boolean), status: signal ?? `exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}` }),
      );
    });
    const before = results.length;
    for (const line of lines) results.push(JSON.parse(line) as ReadResult);
    if (results.length < dirs.length) results.push({ crashed: status });
    if (results.length === before) throw new Error(`the reader made no progress: ${status}`);
  }
  return results;
}
