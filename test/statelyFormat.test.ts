import { createInspector, createWebSocketReceiver, type StatelyInspectionEvent } from '@statelyai/inspect';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { taskMachine } from '../machines/task.js';
import { statelyInspectVersion } from '../src/index.js';
import { openHive, until } from './helpers.js';

/** What @statelyai/inspect itself sends for a real XState actor (its own createInspector), to compare shapes. */
async function referenceMessages(): Promise<StatelyInspectionEvent[]> {
  const sent: StatelyInspectionEvent[] = [];
  const inspector = createInspector({ send: (e) => void sent.push(e) });
  const actor = createActor(taskMachine, {
    inspect: inspector.inspect,
    input: { id: 'r', type: 'x', input: null, priority: 0, dependsOn: [], waitingOn: [], maxRetries: 0, backoffMs: 1, verify: false, order: 1, at: 0 },
  });
  actor.start();
  actor.send({ type: 'hive.assign', agentId: 'a', at: 1 });
  await until(() => sent.some((e) => e.type === '@xstate.snapshot'));
  actor.stop();
  return sent;
}

describe('Stately inspection format', () => {
  it("is accepted by @statelyai/inspect's WebSocket receiver with the package's own message shapes", async () => {
    const hive = await openHive({ inspect: { port: 0 }, handlers: { x: async () => 'ok' } });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    const received: StatelyInspectionEvent[] = [];
    const receiver = createWebSocketReceiver({ server: `ws://127.0.0.1:${hive.inspector!.port}/stately?token=${hive.inspector!.token}` });
    const sub = receiver.subscribe((e) => received.push(e));
    // The receiver first learns the actors that exist (agent:a), then follows the live stream.
    await until(() => received.some((e) => e.type === '@xstate.actor' && e.sessionId === 'agent:a'));
    await hive.waitForTask((await hive.postTask({ id: 't', type: 'x' })).id, { timeoutMs: 5000 });
    await until(() =>
      received.some((e) => e.type === '@xstate.snapshot' && e.sessionId === 'task:t' && (e.snapshot as unknown as { value: unknown }).value === 'completed'),
    );
    sub.unsubscribe();

    const reference = await referenceMessages();
    for (const type of ['@xstate.actor', '@xstate.event', '@xstate.snapshot'] as const) {
      const ours = received.find((e) => e.type === type)!;
      const theirs = reference.find((e) => e.type === type)!;
      expect(ours, type).toBeDefined();
      expect(Object.keys(ours).sort(), type).toEqual(
        expect.arrayContaining(
          Object.keys(theirs)
            .filter((k) => (theirs as unknown as Record<string, unknown>)[k] !== undefined)
            .sort(),
        ),
      );
      expect(ours._version).toBe(theirs._version);
    }
    expect(statelyInspectVersion).toBe(reference[0]!._version);

    const taskActor = received.find(
      (e): e is Extract<StatelyInspectionEvent, { type: '@xstate.actor' }> => e.type === '@xstate.actor' && e.sessionId === 'task:t',
    )!;
    expect(taskActor).toMatchObject({ name: 'task', rootId: 'coordinator', parentId: 'coordinator', snapshot: { status: 'active', value: 'pending' } });
    const theirDefinition = (reference.find((e) => e.type === '@xstate.actor') as { definition: string }).definition;
    expect(taskActor.definition).toBe(theirDefinition);
    const assign = received.find((e) => e.type === '@xstate.event' && e.sessionId === 'task:t' && e.event.type === 'hive.assign')!;
    expect(assign).toMatchObject({ sourceId: 'coordinator', event: { agentId: 'a' } });
    const completed = received.find(
      (e) => e.type === '@xstate.snapshot' && e.sessionId === 'task:t' && (e.snapshot as unknown as { value: unknown }).value === 'completed',
    )!;
    expect((completed as unknown as { snapshot: { context: { output: unknown } } }).snapshot.context.output).toBe('ok');
    expect((completed as unknown as { event: { type: string } }).event.type).toBe('attempt.succeeded');
  });
});
