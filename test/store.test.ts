import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { createHive, FormatError, LockedError } from '../src/index.js';
import { sealValue } from '../src/store/sealValue.js';
import { memoryLogger, tempDir } from './helpers.js';

describe('store', () => {
  it('refuses a second writer on the same directory', async () => {
    const dir = tempDir();
    const first = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    try {
      await expect(createHive({ dataDir: dir, logger: memoryLogger().logger })).rejects.toBeInstanceOf(LockedError);
      await expect(createHive({ dataDir: dir, logger: memoryLogger().logger })).rejects.toMatchObject({
        code: 'locked',
        message: expect.stringContaining(String(process.pid)),
      });
      await first.postTask({ type: 'still-works' });
    } finally {
      await first.close();
    }
    const again = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    expect((await again.status()).tasks.total).toBe(1);
    await again.close();
  });

  it('refuses a second process on a directory another process holds, and takes the lock over once it is dead', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'holdHive.ts'), dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((r) => child.on('exit', (_code, signal) => r(signal)));
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    try {
      const err = await createHive({ dataDir: dir, logger: memoryLogger().logger }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockedError);
      expect(err).toMatchObject({ code: 'locked', pid: child.pid, message: expect.stringContaining(`in use by process ${child.pid}`) });
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    // The dead holder's lock file is still there; the next writer takes it over.
    const after = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    expect((await after.getAgent('holder')).name).toBe('holder');
    await after.close();
  });

  it('refuses a directory written by a newer format and leaves it untouched', async () => {
    const dir = tempDir();
    const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    await hive.postTask({ id: 'keep', type: 'x' });
    await hive.close();
    const raw = open({ path: join(dir, 'hive.lmdb'), maxDbs: 12 });
    await raw.openDB({ name: 'meta' }).put('format', 99);
    await raw.close();
    const err = await createHive({ dataDir: dir, logger: memoryLogger().logger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(/written with format 99; this hivestate reads format 4 or older/);
    const raw2 = open({ path: join(dir, 'hive.lmdb'), maxDbs: 12 });
    expect(raw2.openDB({ name: 'meta' }).get('format')).toBe(99);
    await raw2.close();
  });

  it('refuses to replay past a damaged journal record', async () => {
    const dir = tempDir();
    const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger, checkpoint: { everyInputs: 1_000_000, everyMs: 86_400_000 } });
    await hive.postTask({ id: 'a', type: 'x' });
    await hive.postTask({ id: 'b', type: 'x' });
    await hive.close();
    const raw = open({ path: join(dir, 'hive.lmdb'), maxDbs: 12 });
    // Validly sealed (format 2) values, so the check that fires is the record's own.
    const encoder = (raw as unknown as { encoder: { encode(v: unknown): Uint8Array } }).encoder;
    const put = (name: string, key: string | number, value: unknown) =>
      raw.openDB({ name, encoding: 'binary' }).put(key, sealValue(key, encoder.encode(value)));
    await put('meta', 'checkpoint', { seq: 0, at: 0 });
    await put('meta', 'journalCovered', 0);
    await put('journal', 2, { garbage: true });
    await raw.close();
    await expect(createHive({ dataDir: dir, logger: memoryLogger().logger })).rejects.toMatchObject({
      code: 'unsupported_format',
      message: expect.stringMatching(/journal record 2 .* is damaged/),
    });
  });
});
