import { describe, expect, it } from 'vitest';
import { TaskRejectedError, type TaskView } from '../src/index.js';
import { memoryLogger, openHive, tempDir } from './helpers.js';

/** Deep equality that tells -0 from 0 and a hole from an element (vitest's toEqual does neither reliably). */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Reflect.ownKeys(a);
  const kb = Reflect.ownKeys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  return ka.every((k) => same((a as Record<PropertyKey, unknown>)[k], (b as Record<PropertyKey, unknown>)[k]));
}

const holey = () => {
  const a: unknown[] = [1];
  a[2] = 3;
  return a;
};

describe('journaled values', () => {
  it('what a caller saw before a restart equals what it sees after (errors, outputs, inputs, checkpoints, progress, verifier reasons)', async () => {
    const dir = tempDir();
    const noProto = Object.assign(Object.create(null) as Record<string, unknown>, { k: 1 });
    const hive = await openHive({
      dataDir: dir,
      handlers: {
        throws: () => {
          throw Object.assign(new Error('bad \uD800 thing'), { code: 'e\uDC00' });
        },
        returns: async (_t, ctx) => {
          await ctx.checkpoint({ n: -0, h: holey() } as never);
          await ctx.progress(-0, 'half');
          return { z: -0, h: holey(), o: noProto } as never;
        },
        refuses: () => {
          throw new TaskRejectedError('nope \uDBFF');
        },
        lone: () => 'out \uD800' as never,
      },
      verifiers: { returns: () => ({ ok: false, reason: 'wrong \uDC00 answer' }) },
    });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['throws', 'returns', 'refuses', 'lone'] });
    const tasks = [
      await hive.postTask({ id: 'thrown', type: 'throws', maxRetries: 0 }),
      await hive.postTask({ id: 'returned', type: 'returns', input: { x: -0, h: holey() } as never, maxRetries: 0 }),
      await hive.postTask({ id: 'verified', type: 'returns', verify: true, maxRetries: 0 }),
      await hive.postTask({ id: 'refused', type: 'refuses' }),
      await hive.postTask({ id: 'lone', type: 'lone', maxRetries: 0 }),
    ];
    const before: TaskView[] = [];
    for (const t of tasks) before.push(await hive.waitForTask(t.id, { timeoutMs: 5000 }));
    expect(before.map((t) => t.status)).toEqual(['failed', 'completed', 'failed', 'rejected', 'failed']);
    expect(before[4]!.error!.code).toBe('bad_output');
    // What is shown live is already in the stored form: well-formed text, 0 for -0, null for a hole.
    expect(before[0]!.error).toEqual({ code: 'e\uFFFD', message: 'bad \uFFFD thing' });
    expect(Object.is((before[1]!.input as { x: number }).x, 0)).toBe(true);
    expect((before[1]!.output as { h: unknown[] }).h).toEqual([1, null, 3]);
    await hive.close();

    const again = await openHive({ dataDir: dir, logger: memoryLogger().logger });
    for (const b of before) {
      const after = await again.getTask(b.id);
      expect(same(after, b), `${b.id}: ${JSON.stringify(b)} -> ${JSON.stringify(after)}`).toBe(true);
    }
  });

  it('checkpoints and progress keep their form on the handler side too: the next attempt sees what was stored', async () => {
    const seen: unknown[] = [];
    const hive = await openHive({
      handlers: {
        x: async (_t, ctx) => {
          seen.push(ctx.lastCheckpoint);
          if (ctx.attempt === 1) {
            await ctx.checkpoint({ n: -0, h: holey() } as never);
            throw new Error('again');
          }
          return null;
        },
      },
    });
    await hive.spawnAgent({ name: 'a', capabilities: ['x'] });
    const t = await hive.postTask({ type: 'x', backoffMs: 0 });
    await hive.waitForTask(t.id, { timeoutMs: 5000 });
    expect(same(seen[1], { n: 0, h: [1, null, 3] })).toBe(true);
  });
});
