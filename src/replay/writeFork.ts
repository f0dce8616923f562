/**
 * @module writeFork: a what-if fork of a recorded run: a new data directory whose journal is the
 * run's inputs 1..atSeq with some of them replaced, with its state, checkpoints, seek data and
 * history built by replaying it (no handler runs). The recorded run is only read.
 */
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { FormatError, ValidationError } from '../errors.js';
import type { JournalRecord } from '../kernel/inputs.js';
import { Kernel } from '../kernel/Kernel.js';
import { HiveStore } from '../store/HiveStore.js';
import { systemClock } from '../clock.js';
import { pino } from 'pino';
import { checkInt, checkKeys, checkName } from '../validate.js';
import { replaceInput } from './replaceInput.js';
import type { ReplaySource } from './ReplaySource.js';

export interface WriteForkOptions {
  /** The new data directory (must not hold a hive yet). */
  dataDir: string;
  /** Inputs to journal instead of the recorded ones, by sequence number (at most `atSeq`). */
  replace?: Record<number, unknown>;
}

export interface ForkSummary {
  dataDir: string;
  /** The fork's last input (its journal is inputs 1..atSeq). */
  atSeq: number;
  /** The sequence numbers whose inputs were replaced. */
  replaced: number[];
}

/** Inputs journaled and replayed per batch (each batch ends with a checkpoint, so memory stays bounded). */
const batch = 1000;

/**
 * Writes the fork's data directory. Throws a ValidationError for a bad `atSeq`, directory or
 * replacement, and a FormatError when the journal no longer starts at input 1 (it was compacted).
 * @example await writeFork(openDataDir('./.hivestate'), 120, { dataDir: './what-if', replace: { 118: { type: 'attempt.succeeded', output: 'ok' } } })
 */
export async function writeFork(source: ReplaySource, atSeq: number, options: WriteForkOptions): Promise<ForkSummary> {
  const o = checkKeys('fork', options, ['dataDir', 'replace']);
  const dataDir = checkName('fork.dataDir', o.dataDir, 4096);
  const last = checkInt('atSeq', atSeq, 1, Math.max(1, source.lastSeq()));
  if (source.firstSeq() > 1)
    throw new FormatError(`${source.origin}: the journal starts at input ${source.firstSeq()} (it was compacted); a fork needs every input from 1`);
  if (resolve(dataDir) === resolve(source.origin)) throw new ValidationError('fork.dataDir', 'must be a new directory, not the recorded run itself');
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0)
    throw new ValidationError('fork.dataDir', `${dataDir} is not empty; give a new or empty directory`);
  const replace = new Map<number, unknown>();
  if (o.replace !== undefined) {
    for (const [key, value] of Object.entries(checkKeys('fork.replace', o.replace, Object.keys(o.replace as object)))) {
      const seq = Number(key);
      if (!Number.isInteger(seq) || seq < 1 || seq > last)
        throw new ValidationError(`replace[${key}]`, `must name an input from 1 to ${last} (the fork point); got ${JSON.stringify(key)}`);
      replace.set(seq, value);
    }
  }
  // Check every replacement before anything is written.
  const replaced = new Map<number, JournalRecord>();
  for (const [seq, value] of replace) {
    const recorded = [...source.records(seq - 1, seq)][0];
    if (!recorded) throw new ValidationError(`replace[${seq}]`, `input ${seq} is not in the recorded journal`);
    replaced.set(seq, { ...recorded, input: replaceInput(seq, recorded.input, value) });
  }

  const store = HiveStore.open(dataDir);
  const kernel = new Kernel({
    store,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    effects: { execute: () => undefined, verify: () => undefined, abort: () => undefined },
    checkpointEvery: Number.MAX_SAFE_INTEGER,
    checkpointMs: Infinity,
    recordChanges: true,
  });
  try {
    kernel.recover();
    let pending: JournalRecord[] = [];
    const flush = async () => {
      await Promise.all(pending.map((r) => store.append(r)));
      for (const r of pending) kernel.replayRecord(r);
      pending = [];
      await kernel.checkpoint();
    };
    for (const rec of source.records(0, last)) {
      pending.push(replaced.get(rec.seq) ?? rec);
      if (pending.length >= batch) await flush();
    }
    await flush();
    await kernel.close();
  } finally {
    await store.close();
  }
  return { dataDir, atSeq: last, replaced: [...replaced.keys()].sort((a, b) => a - b) };
}
