/** @module Typed envelopes: `hive.send`, `onMessage`, acknowledgement, redelivery, undeliverable, `hive.messages`. */
import { describe, expect, it } from 'vitest';
import {
  ManualClock,
  messageTypes,
  NotFoundError,
  ValidationError,
  type Hive,
  type MessageEnvelope,
  type MessageHandler,
  type MessageType,
} from '../src/index.js';
import { nextEvent, openHive, sleep, tempDir, until } from './helpers.js';

const acked: MessageType[] = ['COMMAND', 'TASK_ASSIGN', 'HANDOFF'];
const unacked: MessageType[] = ['STATUS', 'TASK_COMPLETE', 'ERROR', 'BROADCAST'];

/** Steps a manual clock and lets the timer firings it journals settle. */
async function advance(clock: ManualClock, ms: number): Promise<void> {
  clock.advance(ms);
  await sleep(20);
}

async function stateOf(hive: Hive, id: string) {
  return (await hive.messages({ limit: 1_000_000 })).find((m) => m.id === id)!.delivery;
}

describe('hive.send', () => {
  it('delivers every envelope type to onMessage; COMMAND, TASK_ASSIGN and HANDOFF are acknowledged by the handler resolving', async () => {
    const got: MessageEnvelope[] = [];
    const hive = await openHive();
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'], onMessage: (e) => void got.push(e) });
    expect([...messageTypes].sort()).toEqual([...acked, ...unacked].sort());
    for (const type of messageTypes) {
      const sent = await hive.send({ type, to: 'a', from: 'lead', payload: { n: type }, metadata: { correlationId: `c-${type}`, phase: 'build' } });
      expect(sent.id).toMatch(/^msg-/);
      expect(typeof sent.at).toBe('number');
      expect(sent.delivery.needsAck).toBe(acked.includes(type));
      await until(async () => (await stateOf(hive, sent.id)).state === (acked.includes(type) ? 'acknowledged' : 'delivered'));
      const d = await stateOf(hive, sent.id);
      expect(d.deliveries).toBe(1);
      if (acked.includes(type)) expect(d.acknowledgedAt).toBeGreaterThanOrEqual(sent.at);
    }
    await until(() => got.length === messageTypes.length);
    for (const e of got) {
      expect(e).toMatchObject({ to: 'a', from: 'lead', payload: { n: e.type }, metadata: { correlationId: `c-${e.type}`, phase: 'build', retryCount: 0 } });
      expect(Object.keys(e).sort()).toEqual(['at', 'from', 'id', 'metadata', 'payload', 'to', 'type']);
    }
  });

  it('redelivers an unacknowledged message after ackTimeoutMs (retryCount counts up, a throw is recorded) until it is acknowledged', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const seen: Array<{ type: string; retryCount: number; delivery: number }> = [];
    const onMessage: MessageHandler = (e, ctx) => {
      seen.push({ type: e.type, retryCount: e.metadata.retryCount, delivery: ctx.delivery });
      if (ctx.delivery === 1) throw Object.assign(new Error('busy'), { code: 'EBUSY' });
      if (ctx.delivery === 2) return new Promise(() => undefined); // never acknowledged
      return 'ok';
    };
    const hive = await openHive({ clock });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'], onMessage });
    for (const type of acked) {
      const m = await hive.send({ type, to: 'a', ackTimeoutMs: 1000, maxDeliveries: 3 });
      await until(async () => (await stateOf(hive, m.id)).lastError !== undefined);
      expect((await stateOf(hive, m.id)).lastError).toEqual({ code: 'EBUSY', message: 'busy' });
      await advance(clock, 999);
      expect((await stateOf(hive, m.id)).deliveries).toBe(1);
      await advance(clock, 1);
      await until(async () => (await stateOf(hive, m.id)).deliveries === 2);
      expect((await stateOf(hive, m.id)).state).toBe('delivering');
      await advance(clock, 1000);
      await until(async () => (await stateOf(hive, m.id)).state === 'acknowledged');
      expect((await stateOf(hive, m.id)).deliveries).toBe(3);
    }
    expect(seen.map((s) => s.retryCount)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(seen.map((s) => s.delivery)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
  });

  it('gives up after maxDeliveries with a message.undeliverable event; types that need no acknowledgement are never redelivered', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    let calls = 0;
    const hive = await openHive({ clock, messages: { ackTimeoutMs: 500, maxDeliveries: 2 } });
    await hive.spawnAgent({
      id: 'a',
      name: 'a',
      capabilities: ['x'],
      onMessage: (e) => {
        calls++;
        if (!acked.includes(e.type)) throw new Error('handler fails');
        return new Promise(() => undefined);
      },
    });
    for (const type of acked) {
      const m = await hive.send({ type, to: 'a' });
      expect(m.delivery).toMatchObject({ ackTimeoutMs: 500, maxDeliveries: 2 });
      const event = nextEvent(hive, 'message.undeliverable', (e) => e.messageId === m.id);
      await advance(clock, 500);
      await until(async () => (await stateOf(hive, m.id)).deliveries === 2);
      await advance(clock, 500);
      expect(await event).toMatchObject({ messageId: m.id, messageType: type, to: 'a', from: 'hive', deliveries: 2 });
      const d = await stateOf(hive, m.id);
      expect(d.state).toBe('undeliverable');
      expect(d.reason).toMatch(/not acknowledged after 2 deliveries/);
    }
    const before = calls;
    for (const type of unacked) {
      const m = await hive.send({ type, to: 'a' });
      await until(() => calls > before + unacked.indexOf(type));
      await advance(clock, 5000);
      expect(await stateOf(hive, m.id)).toMatchObject({ state: 'delivered', deliveries: 1 });
    }
    await sleep(30);
    expect(calls).toBe(acked.length * 2 + unacked.length);
  });

  it('makes a message to a stopped agent undeliverable, also when the agent stops while it waits for its acknowledgement', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const hive = await openHive({ clock });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'], onMessage: () => new Promise(() => undefined) });
    await hive.spawnAgent({ id: 'gone', name: 'gone', capabilities: ['x'] });
    await hive.stopAgent('gone');
    const events: unknown[] = [];
    hive.on('message.undeliverable', (e) => events.push(e.messageType));
    for (const type of messageTypes) {
      const toStopped = await hive.send({ type, to: 'gone' });
      expect(toStopped.delivery).toMatchObject({ state: 'undeliverable', deliveries: 0, reason: 'agent "gone" is stopped' });
    }
    expect(events).toEqual([...messageTypes]);
    const waiting = await hive.send({ type: 'COMMAND', to: 'a', ackTimeoutMs: 100 });
    await hive.stopAgent('a');
    await advance(clock, 100);
    await until(async () => (await stateOf(hive, waiting.id)).state === 'undeliverable');
    expect((await stateOf(hive, waiting.id)).reason).toBe('agent "a" is stopped');
  });

  it('refuses bad envelopes with a typed error before anything is journaled', async () => {
    const hive = await openHive();
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    await expect(hive.send({ type: 'PING' as MessageType, to: 'a' })).rejects.toThrow(/must be one of COMMAND, STATUS/);
    await expect(hive.send({ type: 'COMMAND', to: 'nobody' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(hive.send({ type: 'COMMAND', to: 'a', metadata: { retryCount: 2 } as never })).rejects.toThrow(/filled in by the hive/);
    await expect(hive.send({ type: 'COMMAND', to: 'a', ackTimeoutMs: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(hive.send({ type: 'COMMAND', to: 'a', maxDeliveries: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(hive.send({ type: 'COMMAND', to: 'a', payload: (() => 1) as never })).rejects.toBeInstanceOf(ValidationError);
    await expect(hive.send({ type: 'COMMAND', to: 'a', extra: 1 } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(hive.spawnAgent({ id: 'b', name: 'b', capabilities: ['x'], onMessage: 'no' as never })).rejects.toBeInstanceOf(ValidationError);
    await expect(hive.messages({ type: 'PING' as MessageType })).rejects.toBeInstanceOf(ValidationError);
    expect(await hive.messages()).toEqual([]);
    expect((await hive.listAgents()).map((a) => a.id)).toEqual(['a']);
  });

  it('keeps a delivery waiting until the agent gets its onMessage handler (spawnAgent again with the same spec)', async () => {
    const hive = await openHive({ dataDir: tempDir() });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    const m = await hive.send({ type: 'TASK_ASSIGN', to: 'a', payload: 'job-1' });
    await sleep(30);
    expect((await stateOf(hive, m.id)).state).toBe('delivering');
    const got: unknown[] = [];
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'], onMessage: (e) => void got.push(e.payload) });
    await until(async () => (await stateOf(hive, m.id)).state === 'acknowledged');
    expect(got).toEqual(['job-1']);
  });

  it('lets a handler send and broadcast as its agent', async () => {
    const hive = await openHive();
    const replies: MessageEnvelope[] = [];
    await hive.spawnAgent({ id: 'lead', name: 'lead', capabilities: ['x'], onMessage: (e) => void replies.push(e) });
    await hive.spawnAgent({
      id: 'w',
      name: 'w',
      capabilities: ['x'],
      onMessage: async (e, ctx) => {
        if (e.type === 'COMMAND') await ctx.send({ type: 'STATUS', to: e.from, payload: 'done', metadata: { correlationId: e.id } });
      },
    });
    const cmd = await hive.send({ type: 'COMMAND', to: 'w', from: 'lead' });
    await until(() => replies.length === 1);
    expect(replies[0]).toMatchObject({ type: 'STATUS', from: 'w', to: 'lead', payload: 'done', metadata: { correlationId: cmd.id } });
  });
});

describe('hive.messages', () => {
  it('lists envelopes newest first with their delivery state, filtered by receiver and type, up to limit', async () => {
    const hive = await openHive();
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'], onMessage: () => undefined });
    await hive.spawnAgent({ id: 'b', name: 'b', capabilities: ['x'], onMessage: () => undefined });
    const sent = [];
    for (const [type, to] of [
      ['COMMAND', 'a'],
      ['STATUS', 'b'],
      ['COMMAND', 'b'],
      ['ERROR', 'a'],
      ['COMMAND', 'a'],
    ] as const)
      sent.push(await hive.send({ type, to }));
    const all = await hive.messages();
    expect(all.map((m) => m.id)).toEqual(sent.map((m) => m.id).reverse());
    expect((await hive.messages({ to: 'a' })).map((m) => m.id)).toEqual([sent[4]!.id, sent[3]!.id, sent[0]!.id]);
    expect((await hive.messages({ type: 'COMMAND' })).map((m) => m.id)).toEqual([sent[4]!.id, sent[2]!.id, sent[0]!.id]);
    expect((await hive.messages({ to: 'b', type: 'COMMAND' })).map((m) => m.id)).toEqual([sent[2]!.id]);
    expect((await hive.messages({ limit: 2 })).map((m) => m.id)).toEqual([sent[4]!.id, sent[3]!.id]);
    await until(async () => (await hive.messages()).every((m) => m.delivery.state !== 'delivering'));
    expect((await hive.messages({ to: 'b' })).map((m) => m.delivery.state)).toEqual(['acknowledged', 'delivered']);
  });

  it('prune() deletes finished messages older than the window and keeps unfinished ones', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const hive = await openHive({ clock });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'], onMessage: (e) => (e.payload === 'hang' ? new Promise(() => undefined) : undefined) });
    const old = await hive.send({ type: 'STATUS', to: 'a' });
    const hanging = await hive.send({ type: 'COMMAND', to: 'a', payload: 'hang', ackTimeoutMs: 10_000_000 });
    clock.advance(1000);
    const fresh = await hive.send({ type: 'STATUS', to: 'a' });
    await hive.prune({ before: Date.UTC(2025, 0, 1) + 500 });
    expect((await hive.messages()).map((m) => m.id)).toEqual([fresh.id, hanging.id]);
    expect(old.id).toBeDefined();
  });
});
