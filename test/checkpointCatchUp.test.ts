import { describe, expect, it } from 'vitest';
import { HiveStore } from '../src/store/HiveStore.js';
import { openHive, tempDir } from './helpers.js';

describe('checkpoints', () => {
  it('a checkpoint asked for while one is in flight covers every input applied since, even one that changed no actor', async () => {
    const dir = tempDir();
    const hive = await openHive({ dataDir: dir, checkpoint: { everyInputs: 1_000_000, everyMs: 86_400_000 } });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    // Work nobody can take: many changed actors, so writing the checkpoint takes a while.
    await hive.postTasks(Array.from({ length: 2000 }, (_, i) => ({ id: `t${i}`, type: 'nobody', input: 'x'.repeat(200) })));
    const inFlight = hive.checkpoint();
    // Nothing finished before time 0: the prune input changes no actor, then asks for its checkpoint.
    expect(await hive.prune({ before: 0 })).toBe(0);
    const last = (await hive.status()).lastSeq;
    await inFlight;
    const store = HiveStore.open(dir, { readOnly: true });
    try {
      expect(store.checkpoint()?.seq).toBe(last);
    } finally {
      await store.close();
    }
  });
});
