import { describe, expect, it } from 'vitest';
import type { InspectionRecord } from '../src/index.js';
import { openHive } from './helpers.js';

describe('inspection stream', () => {
  it('reports inputs, messages, transitions, effects and checkpoints in one order', async () => {
    const hive = await openHive({ handlers: { x: async () => 'ok' } });
    const records: InspectionRecord[] = [];
    hive.inspect((r) => records.push(r));
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    const t = await hive.postTask({ id: 't', type: 'x' });
    await hive.waitForTask(t.id, { timeoutMs: 5000 });
    await hive.checkpoint();
    const kinds = new Set(records.map((r) => r.kind));
    expect([...kinds]).toEqual(
      expect.arrayContaining(['actor.created', 'input.applied', 'message', 'transition', 'effect.dispatched', 'checkpoint.written', 'actor.passivated']),
    );
    const taskTransitions = records
      .filter((r): r is Extract<InspectionRecord, { kind: 'transition' }> => r.kind === 'transition' && r.address === 'task:t')
      .map((r) => `${r.from}->${r.to}`);
    expect(taskTransitions).toEqual(['pending->assigned', 'assigned->running', 'running->completed']);
    const seqs = records.map((r) => r.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(records.find((r) => r.kind === 'actor.created' && r.address === 'agent:a')).toMatchObject({ parent: 'coordinator', machine: 'agent' });
  });
});

describe('inspection stream: stopped agents and settled effects', () => {
  it('reports an agent entering stopped and each attempt outcome applied', async () => {
    const hive = await openHive({ handlers: { x: async () => 'ok' } });
    const records: InspectionRecord[] = [];
    hive.inspect((r) => records.push(r));
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    await hive.waitForTask((await hive.postTask({ id: 't', type: 'x' })).id, { timeoutMs: 5000 });
    await hive.stopAgent('a');
    const settled = records.filter((r) => r.kind === 'effect.settled');
    expect(settled).toEqual([expect.objectContaining({ kind: 'effect.settled', effect: 'execute', taskId: 't', attempt: 1, outcome: 'attempt.succeeded' })]);
    expect(records.filter((r) => r.kind === 'actor.stopped')).toEqual([expect.objectContaining({ address: 'agent:a', state: 'stopped' })]);
  });
});
