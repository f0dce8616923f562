/** @module Test helpers: a fresh data directory per test and a quiet logger that tests can read. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { createHive, type Hive, type HiveOptions, openReplay } from '../src/index.js';

const dirs: string[] = [];
const hives: Hive[] = [];

export function tempDir(prefix = 'hive-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** A pino logger writing JSON lines into an array. */
export function memoryLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Opens a hive on a fresh (or given) directory; closed after the test. */
export async function openHive(options: HiveOptions = {}): Promise<Hive> {
  const hive = await createHive({ dataDir: tempDir(), logger: memoryLogger().logger, ...options });
  hives.push(hive);
  return hive;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lets committed inputs settle (journal commits are async). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await sleep(5);
}

afterEach(async () => {
  await Promise.allSettled(hives.splice(0).map((h) => h.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Resolves with the first event of `type` (matching `pred`) the hive emits. */
export function nextEvent(
  hive: Hive,
  type: Parameters<Hive['on']>[0],
  pred: (e: Record<string, unknown>) => boolean = () => true,
): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const off = hive.on(type, (e) => {
      if (!pred(e)) return;
      off();
      resolve(e);
    });
  });
}

/** Polls until `check` returns true (for states reached through async commits). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await sleep(2);
  }
}

/** A promise with its resolve function, for handlers that wait on the test. */
export function gate<T = void>(): { promise: Promise<T>; open: (v: T) => void } {
  let open!: (v: T) => void;
  const promise = new Promise<T>((r) => (open = r));
  return { promise, open };
}

/**
 * Replays a data directory (or recording) and checks it reproduces the recorded run: throws
 * DeterminismViolationError naming the first input and actor that differ.
 * @example await verifyReplay(dataDir)
 */
export async function verifyReplay(source: string): Promise<void> {
  const replay = await openReplay(source);
  try {
    await replay.verify();
  } finally {
    await replay.close();
  }
}
