/** @module A kill -9 while a message waits for its acknowledgement: it is delivered again after the restart, and replay verifies the run. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHive, openReplay, type MessageEnvelope } from '../src/index.js';
import { memoryLogger, tempDir, until } from './helpers.js';

/** Runs the child until it printed `pattern`, then SIGKILLs it. */
async function runAndKill(dataDir: string, pattern: RegExp): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'messageChild.ts'), dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child printed no ${pattern}: ${out} ${err}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`child exited: ${err}`)));
  });
  child.kill('SIGKILL');
  await exited;
  return out;
}

describe('messages across a kill -9', () => {
  it('redelivers an unacknowledged message after the restart (the lost delivery does not count), keeps subscriptions, and replay verifies', async () => {
    const dataDir = tempDir();
    const out = await runAndKill(dataDir, /received \S+ 1\n/);
    const id = /sent (\S+)/.exec(out)?.[1] ?? /received (\S+)/.exec(out)![1]!;
    const got: MessageEnvelope[] = [];
    const hive = await createHive({ dataDir, logger: memoryLogger().logger });
    try {
      const before = (await hive.messages())[0]!;
      expect(before).toMatchObject({ id, type: 'COMMAND', to: 'a', payload: 'restart-me' });
      await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'], onMessage: (e) => void got.push(e) });
      await until(async () => (await hive.messages())[0]!.delivery.state === 'acknowledged');
      expect((await hive.messages())[0]!.delivery).toMatchObject({ deliveries: 2, lost: 1, maxDeliveries: 1 });
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ id, metadata: { retryCount: 1 } });
      expect((await hive.getAgent('a')).channels).toEqual(['ops']);
    } finally {
      await hive.close();
    }
    const replay = await openReplay(dataDir);
    try {
      const report = await replay.verify();
      expect(report.actors).toBeGreaterThanOrEqual(3);
      await replay.seek(replay.lastSeq);
      expect(replay.actor(`message:${id}`)?.status).toBe('acknowledged');
    } finally {
      await replay.close();
    }
  });
});
