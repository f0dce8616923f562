import { describe, expect, it } from 'vitest';
import { openReplay, ValidationError, type Bidder, type Handler, type Hive } from '../src/index.js';
import { openHive, sleep, tempDir, memoryLogger } from './helpers.js';
import { createHive } from '../src/index.js';

/** Records which agent ran each task. */
function recorder(ran: Map<string, string>): Handler {
  return async (t, ctx) => {
    ran.set(t.id, ctx.agentId);
    return null;
  };
}

const fixed =
  (price: number | null, delayMs = 0): Bidder =>
  async () => {
    if (delayMs > 0) await sleep(delayMs);
    return price;
  };

async function agents(hive: Hive, bids: Array<[string, Bidder, ('normal' | 'high')?]>): Promise<void> {
  for (const [id, bid, priority] of bids) await hive.spawnAgent({ id, name: id, capabilities: ['job'], bid, ...(priority ? { priority } : {}) });
}

describe('auctions', () => {
  it('awards the lowest price, not the agent the direct rule would pick', async () => {
    const ran = new Map<string, string>();
    const hive = await openHive({ handlers: { job: recorder(ran) } });
    await agents(hive, [
      ['a1', fixed(5)],
      ['a2', fixed(3)],
      ['a3', fixed(7)],
    ]);
    const t = await hive.postTask({ id: 't', type: 'job', assign: 'auction', auction: { windowMs: 50 } });
    expect((await hive.getTask(t.id)).status).toBe('pending');
    expect((await hive.waitForTask('t', { timeoutMs: 5000 })).status).toBe('completed');
    expect(ran.get('t')).toBe('a2');
  });

  it('breaks a tie by the direct rule (agent priority), whoever answered first', async () => {
    const ran = new Map<string, string>();
    const hive = await openHive({ handlers: { job: recorder(ran) } });
    await agents(hive, [
      ['a1', fixed(4)],
      ['a2', fixed(4, 20), 'high'],
    ]);
    await hive.postTask({ id: 't', type: 'job', assign: 'auction', auction: { windowMs: 80 } });
    await hive.waitForTask('t', { timeoutMs: 5000 });
    expect(ran.get('t')).toBe('a2');
  });

  it('skips abstentions, refusals and bad prices; async bids count', async () => {
    const ran = new Map<string, string>();
    const hive = await openHive({ handlers: { job: recorder(ran) } });
    const throws: Bidder = () => {
      throw new Error('no');
    };
    await agents(hive, [
      ['a1', fixed(null), 'high'],
      ['a2', throws],
      ['a3', (() => -1) as Bidder],
      ['a4', fixed(9, 30)],
    ]);
    await hive.postTask({ id: 't', type: 'job', assign: 'auction', auction: { windowMs: 100 } });
    await hive.waitForTask('t', { timeoutMs: 5000 });
    expect(ran.get('t')).toBe('a4');
  });

  it('fails the task with no_bids when nobody bids', async () => {
    const ran = new Map<string, string>();
    const hive = await openHive({ handlers: { job: recorder(ran) } });
    await agents(hive, [
      ['a1', fixed(null)],
      ['a2', fixed(null)],
    ]);
    await hive.postTask({ id: 't', type: 'job', assign: 'auction', auction: { windowMs: 30 } });
    const done = await hive.waitForTask('t', { timeoutMs: 5000 });
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('no_bids');
    expect(ran.size).toBe(0);
  });

  it("with onNoBids 'queue', waits and auctions again when a capable agent registers", async () => {
    const ran = new Map<string, string>();
    const hive = await openHive({ handlers: { job: recorder(ran) } });
    await agents(hive, [['a1', fixed(null)]]);
    await hive.postTask({ id: 't', type: 'job', assign: 'auction', auction: { windowMs: 30, onNoBids: 'queue' } });
    await sleep(150);
    expect((await hive.getTask('t')).status).toBe('pending');
    await agents(hive, [['a2', fixed(6)]]);
    expect((await hive.waitForTask('t', { timeoutMs: 5000 })).status).toBe('completed');
    expect(ran.get('t')).toBe('a2');
  });

  it("auctions every task of a type named in createHive({ assignment }); 'direct' on the task overrides it", async () => {
    const ran = new Map<string, string>();
    const hive = await openHive({ handlers: { job: recorder(ran) }, assignment: { job: 'auction' } });
    await agents(hive, [
      ['a1', fixed(8), 'high'],
      ['a2', fixed(1)],
    ]);
    await hive.postTask({ id: 'auctioned', type: 'job', auction: { windowMs: 30 } });
    await hive.waitForTask('auctioned', { timeoutMs: 5000 });
    await hive.postTask({ id: 'direct', type: 'job', assign: 'direct' });
    await hive.waitForTask('direct', { timeoutMs: 5000 });
    expect(ran.get('auctioned')).toBe('a2');
    expect(ran.get('direct')).toBe('a1');
  });

  it('refuses bad auction options and bid functions with a typed error', async () => {
    const hive = await openHive();
    await expect(hive.postTask({ type: 'job', assign: 'cheapest' as 'auction' })).rejects.toThrow(/assign: must be 'direct' or 'auction'/);
    await expect(hive.postTask({ type: 'job', assign: 'auction', auction: { windowMs: 0 } })).rejects.toBeInstanceOf(ValidationError);
    await expect(hive.postTask({ type: 'job', assign: 'auction', auction: { onNoBids: 'wait' as 'queue' } })).rejects.toThrow(/onNoBids/);
    await expect(hive.postTask({ type: 'job', auction: { windowMs: 10 } })).rejects.toThrow(/only applies to auctioned tasks/);
    await expect(hive.spawnAgent({ name: 'x', capabilities: ['job'], bid: 5 as unknown as Bidder })).rejects.toThrow(/bid: must be a function/);
    await expect(openHive({ assignment: { job: 'lottery' as 'auction' } })).rejects.toThrow(/assignment.job/);
  });

  it('replays to the same winner (replay.verify passes)', async () => {
    const dir = tempDir();
    const ran = new Map<string, string>();
    const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers: { job: recorder(ran) } });
    await agents(hive, [
      ['a1', fixed(5)],
      ['a2', fixed(2, 10)],
      ['a3', fixed(null)],
    ]);
    await hive.postTask({ id: 't', type: 'job', assign: 'auction', auction: { windowMs: 60 } });
    await hive.waitForTask('t', { timeoutMs: 5000 });
    await hive.close();
    expect(ran.get('t')).toBe('a2');
    const replay = await openReplay(dir);
    try {
      const report = await replay.verify();
      expect(report.actors).toBeGreaterThanOrEqual(5);
      const bids = replay.inputs(0, replay.lastSeq).filter((r) => r.input.type === 'auction.bid');
      expect(bids).toHaveLength(3);
    } finally {
      await replay.close();
    }
    const reopened = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    try {
      expect((await reopened.getTask('t')).assignedTo).toBe('a2');
    } finally {
      await reopened.close();
    }
  });
});

describe('auctions across a crash', () => {
  it('a kill -9 during an open auction: the reopened hive keeps the bids, asks who had not answered, and awards', async () => {
    const { spawn } = await import('node:child_process');
    const { join } = await import('node:path');
    const dir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'auctionChild.ts'), dir, '2500'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((r) => child.on('exit', r));
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => String(d).includes('bid') && resolve()));
    child.kill('SIGKILL');
    expect(await exited).toBe(null);
    const ran = new Map<string, string>();
    const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers: { job: recorder(ran) } });
    try {
      expect((await hive.getTask('t')).status).toBe('pending');
      hive.attachBidder('a2', () => 2);
      expect((await hive.waitForTask('t', { timeoutMs: 10_000 })).status).toBe('completed');
      expect(ran.get('t')).toBe('a2');
    } finally {
      await hive.close();
    }
    const replay = await openReplay(dir);
    try {
      await replay.verify();
      const bids = replay
        .inputs(0, replay.lastSeq)
        .filter((r) => r.input.type === 'auction.bid')
        .map((r) => r.input);
      expect(bids).toEqual([
        { type: 'auction.bid', taskId: 't', round: 1, agentId: 'a1', price: 5 },
        { type: 'auction.bid', taskId: 't', round: 1, agentId: 'a2', price: 2 },
      ]);
    } finally {
      await replay.close();
    }
  });
});
