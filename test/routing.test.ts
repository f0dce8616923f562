import { describe, expect, it } from 'vitest';
import { createHive, type Bidder, type Handler } from '../src/index.js';
import { memoryLogger, openHive, tempDir, verifyReplay } from './helpers.js';

/** a1 always fails, everyone else succeeds. */
const a1Fails: Handler = async (_t, ctx) => {
  if (ctx.agentId === 'a1') throw new Error('a1 breaks');
  return null;
};

const auctioned = (id: string) => ({ id, type: 'job', assign: 'auction' as const, maxRetries: 0, auction: { windowMs: 30 } });

describe('routing records and the learner', () => {
  it('records each decision, with a winner that differs from the recommendation once the learner knows better', async () => {
    const dir = tempDir();
    const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers: { job: a1Fails } });
    await hive.spawnAgent({ id: 'a1', name: 'a1', capabilities: ['job'], bid: () => 2 });
    await hive.spawnAgent({ id: 'a2', name: 'a2', capabilities: ['job'], bid: () => 3 });
    await hive.postTask(auctioned('t1'));
    expect((await hive.waitForTask('t1', { timeoutMs: 5000 })).status).toBe('failed');
    await hive.postTask(auctioned('t2'));
    await hive.waitForTask('t2', { timeoutMs: 5000 });

    const [first] = hive.routingDecisions({ taskId: 't1' });
    expect(first).toMatchObject({ taskId: 't1', strategy: 'auction', recommended: 'a1', winner: 'a1', differs: false });
    expect(first!.candidates).toEqual([
      { agentId: 'a1', price: 2, successRate: 0.5, score: 0.5 / 3 },
      { agentId: 'a2', price: 3, successRate: 0.5, score: 0.5 / 4 },
    ]);
    const [second] = hive.routingDecisions({ taskId: 't2' });
    expect(second).toMatchObject({ taskId: 't2', recommended: 'a2', winner: 'a1', differs: true });
    expect(second!.reason).toMatch(/lowest price 2 of 2 bids/);
    expect(second!.candidates.find((c) => c.agentId === 'a1')!.successRate).toBeCloseTo(1 / 3);
    expect(hive.routingDecisions().map((d) => d.taskId)).toEqual(['t2', 't1']);
    expect(hive.routingDecisions({ limit: 1 }).map((d) => d.taskId)).toEqual(['t2']);

    const a1 = hive.agentStats('a1');
    expect(a1).toMatchObject({ bids: 2, wins: 2, succeeded: 0, failed: 2, successRate: 1 / 4 });
    expect(a1.byType.job).toMatchObject({ bids: 2, wins: 2, failed: 2 });
    expect(a1.meanDurationMs).toBeGreaterThanOrEqual(0);
    expect(hive.agentStats('a2')).toMatchObject({
      bids: 2,
      wins: 0,
      succeeded: 0,
      failed: 0,
      successRate: 0.5,
      meanDurationMs: 0,
      byType: { job: { bids: 2, wins: 0 } },
    });
    const stats = { a1, a2: hive.agentStats('a2') };
    const decisions = hive.routingDecisions();
    await hive.close();

    const reopened = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    try {
      expect({ a1: reopened.agentStats('a1'), a2: reopened.agentStats('a2') }).toEqual(stats);
      expect(reopened.routingDecisions()).toEqual(decisions);
    } finally {
      await reopened.close();
    }
    await verifyReplay(dir);
  });

  it('hands bid() the agent stats, so an agent can bid adaptively; the learner counts direct attempts too', async () => {
    const ran: string[] = [];
    const hive = await openHive({
      handlers: {
        job: async (_t, ctx) => {
          ran.push(ctx.agentId);
          return null;
        },
      },
    });
    const seen: number[] = [];
    const greedy: Bidder = (_task, stats) => {
      seen.push(stats.wins);
      return 1 + stats.wins * 10;
    };
    await hive.spawnAgent({ id: 'a1', name: 'a1', capabilities: ['job'], bid: greedy });
    await hive.spawnAgent({ id: 'a2', name: 'a2', capabilities: ['job'], bid: () => 5 });
    await hive.postTask({ ...auctioned('t1'), maxRetries: 2 });
    await hive.waitForTask('t1', { timeoutMs: 5000 });
    await hive.postTask({ ...auctioned('t2'), maxRetries: 2 });
    await hive.waitForTask('t2', { timeoutMs: 5000 });
    expect(seen).toEqual([0, 1]);
    expect(ran).toEqual(['a1', 'a2']);
    await hive.postTask({ id: 'd', type: 'job' });
    await hive.waitForTask('d', { timeoutMs: 5000 });
    expect(hive.agentStats('a1')).toMatchObject({ bids: 2, wins: 1, succeeded: 2 });
  });

  it('records a round with no bids, then the round that sold', async () => {
    const hive = await openHive({ handlers: { job: async () => null } });
    await hive.spawnAgent({ id: 'a1', name: 'a1', capabilities: ['job'], bid: () => null });
    await hive.postTask({ ...auctioned('t'), auction: { windowMs: 30, onNoBids: 'queue' } });
    await new Promise((r) => setTimeout(r, 120));
    await hive.spawnAgent({ id: 'a2', name: 'a2', capabilities: ['job'], bid: () => 4 });
    await hive.waitForTask('t', { timeoutMs: 5000 });
    const rounds = hive.routingDecisions({ taskId: 't' });
    expect(rounds.map((d) => [d.round, d.winner, d.recommended])).toEqual([
      [2, 'a2', 'a2'],
      [1, null, null],
    ]);
    expect(rounds[1]!.reason).toMatch(/no bids from 1 asked/);
    expect(rounds[1]!.differs).toBe(false);
  });

  it('keeps figures for agent ids and task types named like Object.prototype members, across a restart and replay', async () => {
    const dir = tempDir();
    const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    await hive.spawnAgent({ id: 'constructor', name: 'c', capabilities: ['toString', '__proto__'], bid: () => 1, handler: async () => null });
    for (const [id, type] of [
      ['t1', 'toString'],
      ['t2', '__proto__'],
    ] as const) {
      await hive.postTask({ id, type, assign: 'auction', auction: { windowMs: 20 } });
      expect((await hive.waitForTask(id, { timeoutMs: 5000 })).status).toBe('completed');
    }
    const stats = hive.agentStats('constructor');
    expect(stats).toMatchObject({ bids: 2, wins: 2, succeeded: 2 });
    expect(Object.keys(stats.byType).sort()).toEqual(['__proto__', 'toString']);
    expect(Object.getOwnPropertyDescriptor(stats.byType, '__proto__')?.value).toMatchObject({ bids: 1, wins: 1, succeeded: 1 });
    await hive.close();
    const reopened = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    try {
      expect(reopened.agentStats('constructor')).toEqual(stats);
    } finally {
      await reopened.close();
    }
    await verifyReplay(dir);
  });

  it('counts a win only when it gave the winner the task: a round the busy winner cannot take goes to a new round', async () => {
    const dir = tempDir();
    const ran: Record<string, string> = {};
    const hive = await createHive({
      dataDir: dir,
      logger: memoryLogger().logger,
      handlers: {
        job: async (t, ctx) => {
          ran[t.id] = ctx.agentId;
          await new Promise((r) => setTimeout(r, 150));
          return null;
        },
      },
    });
    // a1 is cheapest and wins both first rounds, which close together; it can take only one task.
    await hive.spawnAgent({ id: 'a1', name: 'a1', capabilities: ['job'], maxConcurrent: 1, bid: () => 1 });
    await hive.spawnAgent({ id: 'a2', name: 'a2', capabilities: ['job'], maxConcurrent: 1, bid: () => 5 });
    await Promise.all([hive.postTask(auctioned('t1')), hive.postTask(auctioned('t2'))]);
    for (const id of ['t1', 't2']) expect((await hive.waitForTask(id, { timeoutMs: 5000 })).status).toBe('completed');
    const runs = (agent: string) => Object.values(ran).filter((a) => a === agent).length;
    expect(Object.values(ran).sort()).toEqual(['a1', 'a2']);
    const rounds = [...hive.routingDecisions({ taskId: 't1' }), ...hive.routingDecisions({ taskId: 't2' })];
    expect(rounds.length).toBe(3);
    const a1 = hive.agentStats('a1');
    const a2 = hive.agentStats('a2');
    expect({ a1: a1.wins, a2: a2.wins }).toEqual({ a1: runs('a1'), a2: runs('a2') });
    expect(a1.byType.job!.wins + a2.byType.job!.wins).toBe(2);
    await hive.close();
    await verifyReplay(dir);
  });

  it('refuses bad query arguments with a typed error', async () => {
    const hive = await openHive();
    expect(() => hive.routingDecisions({ limit: 0 })).toThrow(/limit/);
    expect(() => hive.routingDecisions({ what: 1 } as never)).toThrow(/unknown option "what"/);
    expect(() => hive.agentStats('nobody')).toThrow(/not found|nobody/);
  });
});
