/** @module `hivestate messages`: a real hive's envelopes, read-only, while it runs and after it closed, as rows and as hive.messages() JSON. */
import { describe, expect, it } from 'vitest';
import { createHive, type MessageView } from '../src/index.js';
import { runCli } from './cliRunner.js';
import { memoryLogger, tempDir, until } from './helpers.js';

/** A user mistake: exit status 1 and one `hivestate: ...` line naming the option, no stack trace. */
function expectOneLineError(r: { code: number | null; stderr: string; stdout: string }, line: string): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`hivestate: ${line}\n`);
}

/** Each message in the table, by id: its cells (split on runs of two or more spaces). */
function rowsById(stdout: string): Map<string, string[]> {
  const [header, ...lines] = stdout.trimEnd().split('\n');
  expect(header!.split(/\s{2,}/)).toEqual(['ID', 'TYPE', 'CHANNEL', 'FROM', 'TO', 'STATE', 'DELIVERIES', 'AGE', 'ERROR']);
  return new Map(lines.map((l) => [l.split(/\s{2,}/)[0]!, l.split(/\s{2,}/)]));
}

describe('hivestate messages', () => {
  it('lists a hive’s messages newest first with their delivery state, filtered as hive.messages() filters, while it runs and after it closed', async () => {
    const dataDir = tempDir();
    const hive = await createHive({ dataDir, logger: memoryLogger().logger });
    await hive.spawnAgent({ id: 'builder', name: 'builder', capabilities: ['build'], onMessage: async () => undefined });
    await hive.spawnAgent({
      id: 'flaky',
      name: 'flaky',
      capabilities: ['build'],
      onMessage: () => {
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      },
    });
    await hive.spawnAgent({ id: 'slow', name: 'slow', capabilities: ['build'], onMessage: () => new Promise(() => undefined) });
    await hive.spawnAgent({ id: 'listener', name: 'listener', capabilities: ['watch'], onMessage: () => undefined });
    await hive.subscribe('listener', 'alerts');

    const acked = await hive.send({ type: 'COMMAND', to: 'builder', from: 'lead', payload: { op: 'flush' } });
    const status = await hive.send({ type: 'STATUS', to: 'builder', from: 'lead', payload: 'ok' });
    const failed = await hive.send({ type: 'COMMAND', to: 'flaky', from: 'lead', ackTimeoutMs: 30, maxDeliveries: 2 });
    const waiting = await hive.send({ type: 'HANDOFF', to: 'slow', from: 'lead', ackTimeoutMs: 600_000 });
    const [broadcast] = await hive.broadcast('alerts', { level: 'high' }, { from: 'monitor' });
    await until(async () => {
      const states = new Map((await hive.messages()).map((m) => [m.id, m.delivery.state]));
      return states.get(acked.id) === 'acknowledged' && states.get(failed.id) === 'undeliverable' && states.get(broadcast!.id) === 'delivered';
    });
    const live = await hive.messages();
    expect(live.map((m) => m.id)).toEqual([broadcast!.id, waiting.id, failed.id, status.id, acked.id]);
    const liveTo = await hive.messages({ to: 'builder' });
    const liveCommands = await hive.messages({ type: 'COMMAND' });
    const json = (r: { stdout: string; stderr: string }): MessageView[] => {
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as MessageView[];
    };

    // While this process holds the directory: read-only, positional directory or --data-dir.
    const [all, to, commands, limited, text] = await Promise.all([
      runCli(['messages', dataDir, '--json']),
      runCli(['messages', '--data-dir', dataDir, '--to', 'builder', '--json']),
      runCli(['messages', dataDir, '--type', 'COMMAND', '--json']),
      runCli(['messages', dataDir, '--limit', '2', '--json']),
      runCli(['messages', dataDir]),
    ]);
    expect(json(all)).toEqual(JSON.parse(JSON.stringify(live)));
    expect(json(to)).toEqual(JSON.parse(JSON.stringify(liveTo)));
    expect(json(to).map((m) => m.id)).toEqual([status.id, acked.id]);
    expect(json(commands)).toEqual(JSON.parse(JSON.stringify(liveCommands)));
    expect(json(commands).map((m) => m.id)).toEqual([failed.id, acked.id]);
    expect(json(limited)).toEqual(JSON.parse(JSON.stringify(live.slice(0, 2))));

    expect(text.code).toBe(0);
    const rows = rowsById(text.stdout);
    expect([...rows.keys()]).toEqual(live.map((m) => m.id));
    const age = expect.stringMatching(/^\d+:\d\d$/);
    expect(rows.get(acked.id)).toEqual([acked.id, 'COMMAND', '-', 'lead', 'builder', 'acknowledged', '1/3', age, '-']);
    expect(rows.get(status.id)).toEqual([status.id, 'STATUS', '-', 'lead', 'builder', 'delivered', '1', age, '-']);
    expect(rows.get(failed.id)).toEqual([failed.id, 'COMMAND', '-', 'lead', 'flaky', 'undeliverable', '2/2', age, live[2]!.delivery.reason]);
    expect(live[2]!.delivery.reason).toMatch(/not acknowledged after 2 deliveries/);
    expect(rows.get(waiting.id)).toEqual([waiting.id, 'HANDOFF', '-', 'lead', 'slow', 'delivering', '1/3', age, '-']);
    expect(rows.get(broadcast!.id)).toEqual([broadcast!.id, 'BROADCAST', 'alerts', 'monitor', 'listener', 'delivered', '1', age, '-']);

    // After the hive closed, the same messages in the same states.
    await hive.close();
    expect(json(await runCli(['messages', '--data-dir', dataDir, '--json']))).toEqual(JSON.parse(JSON.stringify(live)));
  });

  it('says what is wrong with a bad option value, in one line with exit status 1', async () => {
    const dataDir = tempDir();
    const hive = await createHive({ dataDir, logger: memoryLogger().logger });
    await hive.close();
    const [badType, badLimit, zeroLimit, twoDirs, none] = await Promise.all([
      runCli(['messages', dataDir, '--type', 'SHOUT']),
      runCli(['messages', dataDir, '--limit', 'lots']),
      runCli(['messages', dataDir, '--limit', '0']),
      runCli(['messages', dataDir, '--data-dir', `${dataDir}-other`]),
      runCli(['messages', dataDir]),
    ]);
    expectOneLineError(badType, '--type: must be one of COMMAND, STATUS, TASK_ASSIGN, TASK_COMPLETE, ERROR, HANDOFF, BROADCAST; got "SHOUT"');
    expectOneLineError(badLimit, '--limit: must be a whole number; got "lots"');
    expectOneLineError(zeroLimit, '--limit: must be an integer from 1 to 1000000; got 0');
    expectOneLineError(twoDirs, `dir: names ${JSON.stringify(dataDir)} but --data-dir names ${JSON.stringify(`${dataDir}-other`)}; give one of them`);
    expect(none).toMatchObject({ code: 0, stdout: 'no messages\n', stderr: '' });
  });
});
