import { join } from 'node:path';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { HiveStore } from '../src/store/HiveStore.js';
import { tempDir } from './helpers.js';

describe('HiveStore trigger keys', () => {
  it('a directory written before colonies existed opens read-only with no trigger keys, and read-write gains the table', async () => {
    const dir = tempDir();
    const root = open({ path: join(dir, 'hive.lmdb'), maxDbs: 12 });
    for (const name of ['meta', 'journal', 'actors', 'live', 'timers', 'byStatus', 'byOrder', 'idempotency']) root.openDB({ name });
    root.openDB({ name: 'meta' }).putSync('format', 1);
    await root.close();
    const readOnly = HiveStore.open(dir, { readOnly: true });
    try {
      expect([...readOnly.triggerKeys()]).toEqual([]);
    } finally {
      await readOnly.close();
    }
    const writer = HiveStore.open(dir);
    try {
      await writer.writeCheckpoint({
        seq: 0,
        at: 0,
        actors: [],
        timersSet: [],
        timersCleared: [],
        idempotencyKeys: [],
        pruned: [],
        triggerKeys: { set: [['c/k', { colonyId: 'c', workerId: 'w-1', at: 5, seq: 1 }]], deleted: [] },
      });
      expect([...writer.triggerKeys()]).toEqual([['c/k', { colonyId: 'c', workerId: 'w-1', at: 5, seq: 1 }]]);
    } finally {
      await writer.close();
    }
  });
});
