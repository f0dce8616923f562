import { openSync, readFileSync, readSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { createHive } from '../src/index.js';
import { runCli, startCli } from './cliRunner.js';
import { memoryLogger, tempDir } from './helpers.js';

/** A closed hive whose journal holds three records, all covered by the last checkpoint. */
async function hiveDir(): Promise<string> {
  const dir = tempDir();
  const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger });
  for (const id of ['a', 'b', 'c']) await hive.postTask({ id, type: 'x', input: { note: `task ${id}` } });
  await hive.close();
  return dir;
}

/** Damages journal record `seq` in place: one byte of every copy of its stored bytes in the file. */
async function damageJournalRecord(dir: string, seq: number): Promise<void> {
  const file = join(dir, 'hive.lmdb');
  const raw = open({ path: file, readOnly: true, maxDbs: 12 });
  const stored = Buffer.from(raw.openDB({ name: 'journal', encoding: 'binary' }).getBinary(seq)!);
  await raw.close();
  const bytes = readFileSync(file);
  const fd = openSync(file, 'r+');
  try {
    for (let at = bytes.indexOf(stored); at >= 0; at = bytes.indexOf(stored, at + 1)) {
      const b = Buffer.alloc(1);
      readSync(fd, b, 0, 1, at + stored.length - 2);
      b[0]! ^= 0x20;
      writeSync(fd, b, 0, 1, at + stored.length - 2);
    }
  } finally {
    closeSync(fd);
  }
}

describe('hivestate doctor', () => {
  it('reports a healthy directory and exits 0', async () => {
    const dir = await hiveDir();
    const r = await runCli(['doctor', dir]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^ {2}ok {6}journal {4}3 records, inputs 1 to 3$/m);
    expect(r.stdout).toMatch(/^ {2}ok {6}pages {6}\d+ pages in use, \d+ named databases, free list clear$/m);
    expect(r.stdout).toMatch(
      /^ {2}ok {6}databases {2}format 4; meta, journal, actors, live, timers, byStatus, byOrder, idempotency, triggerKeys, audit, seek, chunks, segments, retired, blobs$/m,
    );
    expect(r.stdout).toMatch(/^ {2}ok {6}actors {5}3 tasks \(3 pending\), 0 agents$/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('healthy');
  });

  it('finds a damaged journal record that opening the hive does not read, lists it, and exits 1', async () => {
    const dir = await hiveDir();
    await damageJournalRecord(dir, 2);
    // Record 2 is covered by the checkpoint, so a hive opens without reading it...
    const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    expect((await hive.getTask('b')).input).toEqual({ note: 'task b' });
    await hive.close();
    // ...and the doctor, which reads every record, names it.
    const r = await runCli(['doctor', '--json', dir]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { healthy: boolean; checks: Array<{ id: string; ok: boolean; details: string[] }> };
    expect(report.healthy).toBe(false);
    expect(report.checks.filter((c) => !c.ok)).toEqual([
      {
        id: 'journal',
        ok: false,
        details: [`${join(dir, 'hive.lmdb')} is damaged: database journal, key 2: checksum mismatch (the key or the value was altered)`],
      },
    ]);
  });

  it('exits 2 naming what it was reading when the checking process dies, and stays up itself', async () => {
    const dir = await hiveDir();
    const r = await startCli(['doctor', dir], { HIVESTATE_DOCTOR_ABORT_AT: 'actors' }).done;
    expect(r).toMatchObject({ code: 2, signal: null });
    expect(r.stdout).toMatch(/^ {2}ok {6}journal /m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('the check crashed (signal SIGABRT) while reading the stored actors');
  });

  it('says there is no hive in a directory without one, and exits 1', async () => {
    const r = await runCli(['doctor', join(tempDir(), 'empty')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {4}file {7}.*hive\.lmdb does not exist: no hive here/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('1 problem found');
  });
});
