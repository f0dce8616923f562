/** @module Channels: `hive.subscribe`, `hive.unsubscribe`, `hive.broadcast` (with `'*'`), durable subscriptions. */
import { describe, expect, it } from 'vitest';
import { createHive, NotFoundError, ValidationError, type MessageEnvelope, type MessageHandler } from '../src/index.js';
import { memoryLogger, openHive, tempDir, until } from './helpers.js';

function inboxes() {
  const got = new Map<string, MessageEnvelope[]>();
  const handler =
    (id: string): MessageHandler =>
    (e) =>
      void got.set(id, [...(got.get(id) ?? []), e]);
  const channels = (id: string) => (got.get(id) ?? []).map((e) => `${e.channel}:${JSON.stringify(e.payload)}`);
  return { got, handler, channels };
}

describe('channels', () => {
  it('broadcasts to the subscribers of a channel, to every agent on "*", and to agents subscribed to "*"', async () => {
    const box = inboxes();
    const hive = await openHive();
    for (const id of ['a', 'b', 'c', 'd']) await hive.spawnAgent({ id, name: id, capabilities: ['x'], onMessage: box.handler(id) });
    expect((await hive.subscribe('a', 'alerts')).channels).toEqual(['alerts']);
    await hive.subscribe('b', 'alerts');
    await hive.subscribe('b', 'alerts'); // twice is once
    await hive.subscribe('c', 'builds');
    await hive.subscribe('d', '*');
    expect((await hive.getAgent('b')).channels).toEqual(['alerts']);

    const sent = await hive.broadcast('alerts', { level: 1 }, { metadata: { correlationId: 'incident-7' } });
    expect(sent.map((m) => m.to)).toEqual(['a', 'b', 'd']);
    for (const m of sent)
      expect(m).toMatchObject({ type: 'BROADCAST', from: 'hive', channel: 'alerts', metadata: { correlationId: 'incident-7', retryCount: 0 } });
    expect(new Set(sent.map((m) => m.id)).size).toBe(3);
    await hive.broadcast('*', 'all');
    await until(() => box.channels('a').length === 2 && box.channels('c').length === 1 && box.channels('d').length === 2);
    expect(box.channels('a')).toEqual(['alerts:{"level":1}', '*:"all"']);
    expect(box.channels('b')).toEqual(['alerts:{"level":1}', '*:"all"']);
    expect(box.channels('c')).toEqual(['*:"all"']);
    expect(box.channels('d')).toEqual(['alerts:{"level":1}', '*:"all"']);
    expect((await hive.messages({ type: 'BROADCAST' })).length).toBe(7);
    expect((await hive.messages({ to: 'c' })).map((m) => m.delivery.state)).toEqual(['delivered']);
    // Only the agent subscribed to '*' hears a channel nobody else listens to; with d unsubscribed, nobody does.
    expect((await hive.broadcast('quiet', 1)).map((m) => m.to)).toEqual(['d']);
    await hive.unsubscribe('d', '*');
    expect(await hive.broadcast('quiet', 2)).toEqual([]);
  });

  it('stops delivering after unsubscribe, skips the sender and stopped agents', async () => {
    const box = inboxes();
    const hive = await openHive();
    for (const id of ['a', 'b', 'c']) await hive.spawnAgent({ id, name: id, capabilities: ['x'], onMessage: box.handler(id) });
    for (const id of ['a', 'b', 'c']) await hive.subscribe(id, 'news');
    expect((await hive.broadcast('news', 1, { from: 'a' })).map((m) => m.to)).toEqual(['b', 'c']);
    expect((await hive.unsubscribe('b', 'news')).channels).toBeUndefined();
    await hive.unsubscribe('b', 'news'); // not subscribed: nothing changes
    expect((await hive.broadcast('news', 2)).map((m) => m.to)).toEqual(['a', 'c']);
    await hive.stopAgent('c');
    expect((await hive.broadcast('news', 3)).map((m) => m.to)).toEqual(['a']);
    expect((await hive.broadcast('*', 4)).map((m) => m.to)).toEqual(['a', 'b']);
    await until(() => box.channels('a').length === 3);
    expect(box.channels('b')).toEqual(['news:1', '*:4']);
    await expect(hive.subscribe('c', 'news')).rejects.toBeInstanceOf(ValidationError);
    await expect(hive.subscribe('ghost', 'news')).rejects.toBeInstanceOf(NotFoundError);
    await expect(hive.subscribe('a', '')).rejects.toBeInstanceOf(ValidationError);
    await expect(hive.broadcast('news', 1, { to: 'a' } as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('keeps subscriptions across a restart', async () => {
    const dataDir = tempDir();
    const first = await createHive({ dataDir, logger: memoryLogger().logger });
    await first.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    await first.spawnAgent({ id: 'b', name: 'b', capabilities: ['x'] });
    await first.subscribe('a', 'ops');
    await first.subscribe('b', 'ops');
    await first.unsubscribe('b', 'ops');
    await first.close();
    const box = inboxes();
    const again = await createHive({ dataDir, logger: memoryLogger().logger });
    try {
      await again.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'], onMessage: box.handler('a') });
      expect((await again.getAgent('a')).channels).toEqual(['ops']);
      expect((await again.getAgent('b')).channels).toBeUndefined();
      expect((await again.broadcast('ops', 'hello')).map((m) => m.to)).toEqual(['a']);
      await until(() => box.channels('a').length === 1);
    } finally {
      await again.close();
    }
  });
});
