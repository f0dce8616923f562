import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '../scripts/natsServer.js';
import { runWorker, ValidationError, type Bidder, type Hive, type HiveEvent } from '../src/index.js';
import { startFixtureWorker } from './fixtureWorker.js';
import { memoryLogger, openHive, sleep, tempDir, until, verifyReplay } from './helpers.js';

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

let prefixes = 0;
/** A hive on its own prefix with an in-process agent `local` (bidding `localBid`) that also runs `work`. */
async function auctionHive(localBid: Bidder) {
  const prefix = `b${process.pid}-${++prefixes}`;
  const dataDir = tempDir();
  const { logger, lines } = memoryLogger();
  const hive = await openHive({ dataDir, logger, nats: { servers: nats.url, prefix, workerTimeoutMs: 5000 } });
  await hive.spawnAgent({ id: 'local', name: 'local', capabilities: ['work'], handler: async () => ({ worker: 'local' }), bid: localBid });
  const bids: HiveEvent[] = [];
  hive.on('task.auction.bid', (e) => bids.push(e));
  return { hive, prefix, dataDir, lines, bids };
}

/** The fixture worker (agent `w1`) in a child process, bidding as `bid` says; resolves once registered. */
const startBidder = (prefix: string, bid: string | undefined, sideDir: string) =>
  startFixtureWorker({ natsUrl: nats.url, prefix, id: 'w1', sideDir, ...(bid !== undefined ? { env: { HIVE_BID: bid } } : {}) });

const asked = (sideDir: string): unknown[] => {
  const file = join(sideDir, 'bids.jsonl');
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as unknown)
    : [];
};

/** Waits until the hive lists `w1` as idle (registered and free). */
async function w1Idle(hive: Hive): Promise<void> {
  await until(async () => (await hive.listAgents()).some((a) => a.id === 'w1' && a.status === 'idle'), 10_000);
}

describe('remote workers bid in auctions', () => {
  it('a remote worker bidding 2 beats an in-process agent bidding 5: it runs the task, both bids are in the routing record, and replay agrees', async () => {
    const side = tempDir();
    const { hive, prefix, dataDir } = await auctionHive(() => 5);
    await startBidder(prefix, '2', side);
    await w1Idle(hive);
    await hive.postTask({ id: 't1', type: 'work', assign: 'auction', auction: { windowMs: 1500 } });
    const done = await hive.waitForTask('t1', { timeoutMs: 15_000 });
    expect(done).toMatchObject({ status: 'completed', assignedTo: 'w1', output: { worker: 'w1' } });
    const [decision] = hive.routingDecisions({ taskId: 't1' });
    expect(decision).toMatchObject({ winner: 'w1', reason: 'lowest price 2 of 2 bids' });
    expect(Object.fromEntries(decision!.candidates.map((c) => [c.agentId, c.price]))).toEqual({ local: 5, w1: 2 });
    expect(asked(side)).toHaveLength(1);
    await hive.close();
    await verifyReplay(dataDir);
  });

  it.each([
    ['throws', 'throw', /bid_failed: the bid function threw: no price today/],
    ['answers a bad price', 'bad', /bad_price: the bid function answered -1/],
  ])('a remote worker whose bid %s abstains (a journaled null bid, with a warning) and the in-process agent wins', async (_what, spec, reason) => {
    const side = tempDir();
    const { hive, prefix, dataDir, lines, bids } = await auctionHive(() => 5);
    await startBidder(prefix, spec, side);
    await w1Idle(hive);
    await hive.postTask({ id: 't1', type: 'work', assign: 'auction', auction: { windowMs: 1500 } });
    expect(await hive.waitForTask('t1', { timeoutMs: 15_000 })).toMatchObject({ status: 'completed', assignedTo: 'local' });
    expect(bids.filter((e) => e.agentId === 'w1').map((e) => e.price)).toEqual([null]);
    expect(asked(side)).toHaveLength(1);
    const warning = lines.find((l) => l.msg === 'remote bid counted as an abstention');
    expect(warning).toMatchObject({ agent: 'w1', task: 't1' });
    expect(String(warning!.reason)).toMatch(reason);
    await hive.close();
    await verifyReplay(dataDir);
  });

  it('a worker started without bid abstains at once (it said so when it registered)', async () => {
    const side = tempDir();
    const { hive, prefix, lines, bids } = await auctionHive(() => 5);
    await startBidder(prefix, undefined, side);
    await w1Idle(hive);
    await hive.postTask({ id: 't1', type: 'work', assign: 'auction', auction: { windowMs: 1500 } });
    await until(() => bids.some((e) => e.agentId === 'w1'), 5000);
    expect(bids.find((e) => e.agentId === 'w1')).toMatchObject({ price: null });
    expect(lines.find((l) => l.msg === 'remote bid counted as an abstention')).toMatchObject({ reason: 'its worker was started without a bid function' });
    expect(await hive.waitForTask('t1', { timeoutMs: 15_000 })).toMatchObject({ status: 'completed', assignedTo: 'local' });
  });

  it('a worker that does not answer before the window closes has no bid and does not hold the auction up; its late answer journals nothing', async () => {
    const side = tempDir();
    const { hive, prefix, dataDir, lines, bids } = await auctionHive(() => 5);
    await startBidder(prefix, 'sleep:2500:1', side);
    await w1Idle(hive);
    const posted = Date.now();
    let awardedAfter = 0;
    hive.on('task.auction.awarded', () => (awardedAfter = Date.now() - posted));
    await hive.postTask({ id: 't1', type: 'work', assign: 'auction', auction: { windowMs: 400 } });
    expect(await hive.waitForTask('t1', { timeoutMs: 15_000 })).toMatchObject({ status: 'completed', assignedTo: 'local' });
    // Closed on its window, well before the worker's answer (2.5 s) could come.
    expect(awardedAfter).toBeGreaterThan(0);
    expect(awardedAfter).toBeLessThan(2000);
    expect(asked(side)).toHaveLength(1);
    expect(lines.find((l) => l.msg === 'remote worker did not bid before the auction closed; it has no bid')).toMatchObject({ agent: 'w1', task: 't1' });
    await sleep(2800); // the worker answers now; nobody listens any more
    expect(bids.map((e) => e.agentId)).toEqual(['local']);
    expect(hive.routingDecisions({ taskId: 't1' })[0]!.candidates.find((c) => c.agentId === 'w1')).not.toHaveProperty('price');
    await hive.close();
    await verifyReplay(dataDir);
  });

  it('an auction open when the hive restarts asks the remote worker again (the new hub asks without knowing its registration) and it wins', async () => {
    const side = tempDir();
    const prefix = `b${process.pid}-${++prefixes}`;
    const dataDir = tempDir();
    const natsOptions = { servers: nats.url, prefix, workerTimeoutMs: 5000 };
    const first = await openHive({ dataDir, nats: natsOptions });
    await startBidder(prefix, 'sleep:1500:3', side);
    await w1Idle(first);
    await first.postTask({ id: 't1', type: 'work', assign: 'auction', auction: { windowMs: 5000 } });
    await until(() => asked(side).length === 1, 5000);
    await first.close(); // the worker's answer comes after this hive is gone
    const hive = await openHive({ dataDir, nats: natsOptions });
    expect(await hive.waitForTask('t1', { timeoutMs: 20_000 })).toMatchObject({ status: 'completed', assignedTo: 'w1' });
    expect(asked(side)).toHaveLength(2);
    expect(hive.routingDecisions({ taskId: 't1' })[0]).toMatchObject({ winner: 'w1', candidates: [{ agentId: 'w1', price: 3 }] });
    await hive.close();
    await verifyReplay(dataDir);
  });

  it('runWorker refuses a bid that is not a function, saying what is allowed', async () => {
    const err = await runWorker({
      servers: nats.url,
      agent: { id: 'w1', capabilities: ['work'] },
      handlers: { work: async () => null },
      bid: 5 as never,
      logger: memoryLogger().logger,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/bid.*must be a function \(task, stats\) => a non-negative integer price or null/);
  });
});
