/** @module Queue pressure: over `queueLimit`, no new auction opens; the auctions held back open once the queue is back under it. */
import { describe, expect, it } from 'vitest';
import { createHive, type Handler } from '../src/index.js';
import { memoryLogger, sleep, tempDir, verifyReplay } from './helpers.js';

describe('queue pressure and auctions', () => {
  it('pauses the intake of new auctions while the pending queue is over its limit, and resumes it when the queue drains', async () => {
    const dataDir = tempDir();
    const ran = new Map<string, string>();
    const job: Handler = async (t, ctx) => {
      ran.set(t.id, ctx.agentId);
      return 'done';
    };
    const hive = await createHive({ dataDir, logger: memoryLogger().logger, queueLimit: 1, handlers: { job } });
    await hive.spawnAgent({ id: 'bidder', name: 'bidder', capabilities: ['job'], bid: async () => 2 });
    // Two tasks nobody can take fill the queue past its limit.
    await hive.postTasks([
      { id: 'o1', type: 'orphan' },
      { id: 'o2', type: 'orphan' },
    ]);
    expect(hive.isUnderPressure()).toBe(true);
    await hive.postTask({ id: 't', type: 'job', assign: 'auction', auction: { windowMs: 20 } });
    await sleep(200);
    expect((await hive.getTask('t')).status).toBe('pending');
    expect(await hive.routingDecisions({ taskId: 't' })).toEqual([]);
    expect((await hive.report()).issues).toContain('pending queue over its limit: 3 queued, queueLimit 1');
    expect(hive.insights().advisories).toContainEqual({
      kind: 'queue_over_limit',
      severity: 'warning',
      message: 'the pending queue is over its limit: 3 queued, queueLimit 1; no new auction opens until it is back at the limit',
    });

    await hive.cancelTask('o1');
    await sleep(100);
    expect((await hive.getTask('t')).status).toBe('pending'); // still 2 queued: still over
    await hive.cancelTask('o2');
    expect(hive.isUnderPressure()).toBe(false);
    expect(hive.insights().advisories.map((a) => a.kind)).not.toContain('queue_over_limit');
    expect(await hive.waitForTask('t', { timeoutMs: 5000 })).toMatchObject({ status: 'completed', assignedTo: 'bidder' });
    expect(ran.get('t')).toBe('bidder');
    expect(await hive.routingDecisions({ taskId: 't' })).toEqual([expect.objectContaining({ taskId: 't', winner: 'bidder' })]);
    await hive.close();

    await verifyReplay(dataDir);
  });
});
