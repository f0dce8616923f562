import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHive } from '../src/index.js';
import { runCli } from './cliRunner.js';
import { memoryLogger, tempDir, until } from './helpers.js';

describe('hivestate backup', () => {
  it('copies a hive while another process keeps posting to it; the copy holds every task acknowledged before the backup began', async () => {
    const dir = tempDir();
    const writer = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'postForever.ts'), dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    writer.stdout.on('data', (d: Buffer) => (out += d));
    const acked = () => [...out.matchAll(/^acked (\S+)$/gm)].map((m) => m[1]!);
    try {
      await until(() => acked().length >= 50, 20_000);
      const before = acked();
      const file = join(tempDir(), 'hive.bak');
      const backup = await runCli(['backup', dir, file]);
      expect(backup).toMatchObject({ code: 0, stderr: '' });
      expect(backup.stdout).toMatch(/^backed up .* bytes, inputs up to \d+/);
      // The writer was never blocked for long: it goes on acknowledging after the copy.
      const after = acked().length;
      await until(() => acked().length >= after + 20, 20_000);

      const restored = tempDir();
      mkdirSync(restored, { recursive: true });
      copyFileSync(file, join(restored, 'hive.lmdb'));
      const hive = await createHive({ dataDir: restored, logger: memoryLogger().logger });
      try {
        for (const id of before) expect((await hive.getTask(id)).id).toBe(id);
      } finally {
        await hive.close();
      }
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('refuses a target file that exists, with one line and exit status 1, and leaves it alone; --compact copies too', async () => {
    const dir = tempDir();
    const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    await hive.postTask({ id: 'a', type: 'x' });
    await hive.close();
    const file = join(tempDir(), 'taken');
    writeFileSync(file, 'not a backup');
    const r = await runCli(['backup', dir, file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`hivestate: file: ${file} already exists; backup writes a new file and never replaces one\n`);
    expect(readFileSync(file, 'utf8')).toBe('not a backup');

    const compact = join(tempDir(), 'compact.bak');
    expect(await runCli(['backup', '--compact', dir, compact])).toMatchObject({ code: 0 });
    expect(statSync(compact).size).toBeGreaterThan(0);
  });
});
