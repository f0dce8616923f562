/** @module Replay of a run with messages, channels and handoffs: verify() reproduces it, and the stored seek data restores the message actors. */
import { describe, expect, it } from 'vitest';
import { messageMachine } from '../machines/message.js';
import { createHive, DeterminismViolationError, ManualClock, memorySource, openReplay, type Handler, type Replay } from '../src/index.js';
import { gate, memoryLogger, sleep, tempDir, until } from './helpers.js';

async function sameAt(a: Replay, b: Replay, seq: number): Promise<void> {
  expect(await a.seek(seq)).toBe(seq);
  expect(await b.seek(seq)).toBe(seq);
  expect(a.actors(), `at input ${seq}`).toEqual(b.actors());
}

describe('replay of messages and handoffs', () => {
  it('verify() passes on a run with acknowledgements, redeliveries, an undeliverable message, broadcasts and handoffs', async () => {
    const dataDir = tempDir();
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const go = gate();
    const first: Handler = async (_t, ctx) => {
      await go.promise;
      await ctx.handoff('ghost', null).catch(() => undefined);
      await ctx.handoff('b', { done: 1 });
      return null;
    };
    const second: Handler = async (_t, ctx) => ctx.lastCheckpoint ?? null;
    const hive = await createHive({ dataDir, clock, logger: memoryLogger().logger, checkpoint: { everyInputs: 4, everyMs: 86_400_000 } });
    await hive.spawnAgent({
      id: 'a',
      name: 'a',
      capabilities: ['job'],
      handler: first,
      onMessage: (e, ctx) => (e.payload === 'flaky' && ctx.delivery === 1 ? Promise.reject(new Error('not yet')) : undefined),
    });
    await hive.spawnAgent({ id: 'b', name: 'b', capabilities: ['job'], handler: second, onMessage: () => new Promise(() => undefined) });
    await hive.subscribe('a', 'ops');
    await hive.subscribe('b', '*');
    const flaky = await hive.send({ type: 'COMMAND', to: 'a', payload: 'flaky', ackTimeoutMs: 1000 });
    const lost = await hive.send({ type: 'HANDOFF', to: 'b', ackTimeoutMs: 1000, maxDeliveries: 2 });
    await hive.send({ type: 'STATUS', to: 'b', payload: 'fyi' });
    await hive.broadcast('ops', { n: 1 });
    const t = await hive.postTask({ type: 'job' });
    await until(async () => (await hive.getTask(t.id)).status === 'running');
    go.open();
    expect((await hive.waitForTask(t.id, { timeoutMs: 5000 })).output).toEqual({ done: 1 });
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await sleep(20);
    }
    await until(async () => (await hive.messages()).every((m) => m.delivery.state !== 'delivering'));
    const states = new Map((await hive.messages()).map((m) => [m.id, m.delivery.state]));
    expect(states.get(flaky.id)).toBe('acknowledged');
    expect(states.get(lost.id)).toBe('undeliverable');
    await hive.close();

    const stored = await openReplay(dataDir);
    try {
      const report = await stored.verify();
      expect(report.actors).toBeGreaterThanOrEqual(8);
      await stored.seek(stored.lastSeq);
      const kinds = stored.actors().map((a) => a.kind);
      expect(kinds.filter((k) => k === 'message')).toHaveLength(5);
      expect(stored.actor(`message:${lost.id}`)?.status).toBe('undeliverable');
      expect(stored.actor(`task:${t.id}`)?.status).toBe('completed');
      // A message machine that never redelivers did not dispatch the delivery the recorded ack answers.
      const ack = stored.inputs(0, stored.lastSeq).find((r) => r.input.type === 'message.ack' && r.input.messageId === flaky.id)!;
      expect(ack.input).toMatchObject({ delivery: 2 });
      const noRedelivery = messageMachine.provide({ guards: { redeliver: () => false } });
      const err = await stored.verify({ machines: { message: noRedelivery }, lockstep: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeterminismViolationError);
      expect(err).toMatchObject({ seq: ack.seq, address: `message:${flaky.id}` });
      expect((err as Error).message).toMatch(/never dispatched/);
      // The stored seek points restore the message actors exactly as a replay from the journal does.
      const full = await openReplay(memorySource('journal only', stored.inputs(0, stored.lastSeq)), { seekEvery: 1_000_000 });
      for (let seq = 0; seq <= stored.lastSeq; seq++) await sameAt(stored, full, seq);
      await full.close();
    } finally {
      await stored.close();
    }
  });
});
