/** @module `hivestate audit`: a real hive's decision records (auctions, assignments, cancellations), read-only, as rows and as hive.audit() JSON. */
import { describe, expect, it } from 'vitest';
import { createHive, type AuditRecord } from '../src/index.js';
import { runCli } from './cliRunner.js';
import { memoryLogger, tempDir } from './helpers.js';

/** A user mistake: exit status 1 and one `hivestate: ...` line naming the option, no stack trace. */
function expectOneLineError(r: { code: number | null; stderr: string; stdout: string }, line: string): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`hivestate: ${line}\n`);
}

const json = (r: { stdout: string; stderr: string }): AuditRecord[] => {
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as AuditRecord[];
};

describe('hivestate audit', () => {
  it('prints auction awards, unsold rounds, assignments and cancellations as hive.audit() has them, filtered the same way, while the hive runs and after', async () => {
    const dataDir = tempDir();
    // No checkpoint while it runs: the CLI must derive every record from the journal, as recovery does.
    const hive = await createHive({
      dataDir,
      logger: memoryLogger().logger,
      checkpoint: { everyInputs: 1_000_000, everyMs: 86_400_000 },
      handlers: { job: async () => null, rare: async () => null },
    });
    await hive.spawnAgent({ id: 'a1', name: 'a1', capabilities: ['job'], bid: () => 4 });
    await hive.spawnAgent({ id: 'a2', name: 'a2', capabilities: ['job'], bid: () => 2 });
    await hive.spawnAgent({ id: 'shy', name: 'shy', capabilities: ['rare'], bid: () => null });
    await hive.postTask({ id: 'sold', type: 'job', assign: 'auction', auction: { windowMs: 30 } });
    await hive.waitForTask('sold', { timeoutMs: 5000 });
    await hive.postTask({ id: 'unsold', type: 'rare', assign: 'auction', auction: { windowMs: 30 } });
    await hive.waitForTask('unsold', { timeoutMs: 5000 }).catch(() => undefined); // fails: no_bids
    await hive.postTask({ id: 'plain', type: 'job' });
    await hive.waitForTask('plain', { timeoutMs: 5000 });
    await hive.postTask({ id: 'orphan', type: 'nobody' });
    await hive.cancelTask('orphan');

    const live = hive.audit();
    expect(live.map((r) => `${r.type} ${r.target}`)).toEqual([
      'auction.award task:sold',
      'assign task:sold',
      'auction.unsold task:unsold',
      'assign task:plain',
      'cancel task:orphan',
    ]);
    const plainAt = live[3]!.at;
    const [status, all, awards, sold, since, sinceMs, limited, text] = await Promise.all([
      runCli(['status', '--data-dir', dataDir, '--json']),
      runCli(['audit', dataDir, '--json']),
      runCli(['audit', dataDir, '--type', 'auction.award', '--json']),
      runCli(['audit', '--data-dir', dataDir, '--target', 'task:sold', '--json']),
      runCli(['audit', dataDir, '--since', new Date(plainAt).toISOString(), '--json']),
      runCli(['audit', dataDir, '--since', String(plainAt), '--json']),
      runCli(['audit', dataDir, '--limit', '2', '--json']),
      runCli(['audit', dataDir]),
    ]);
    // Read while this process holds the directory: no record is stored yet, all come from the journal.
    expect(JSON.parse(status.stdout)).toMatchObject({ checkpointSeq: 0, writerPid: process.pid });
    expect(json(all)).toEqual(live);
    expect(json(awards)).toEqual(hive.audit({ type: 'auction.award' }));
    expect(json(awards)).toHaveLength(1);
    expect(json(sold)).toEqual(hive.audit({ target: 'task:sold' }));
    expect(json(since)).toEqual(hive.audit({ since: plainAt }));
    expect(json(since).map((r) => r.target)).toEqual(['task:plain', 'task:orphan']);
    expect(json(sinceMs)).toEqual(json(since));
    expect(json(limited)).toEqual(live.slice(0, 2));

    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['TIME', 'TYPE', 'TARGET', 'ACTOR', 'OUTCOME', 'DECISION']);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      [new Date(live[0]!.at).toISOString(), 'auction.award', 'task:sold', 'auction:sold', 'awarded', 'won by a2 at 2 (round 1); lowest price 2 of 2 bids'],
      [new Date(live[1]!.at).toISOString(), 'assign', 'task:sold', 'auction:sold', 'assigned', 'agent a2, attempt 1; auction award'],
      [
        new Date(live[2]!.at).toISOString(),
        'auction.unsold',
        'task:unsold',
        'auction:unsold',
        'failed',
        'round 1; no bids from 1 asked (task failed: no_bids)',
      ],
      [
        new Date(live[3]!.at).toISOString(),
        'assign',
        'task:plain',
        'coordinator',
        'assigned',
        expect.stringMatching(/^agent a(1|2), attempt 1; direct rule: capability/),
      ],
      [new Date(live[4]!.at).toISOString(), 'cancel', 'task:orphan', 'api', 'cancelled', 'cancelled through the API'],
    ]);

    // After close every record is stored; the listing is the same.
    await hive.close();
    expect(json(await runCli(['audit', '--data-dir', dataDir, '--json']))).toEqual(live);
  });

  it('says what is wrong with a bad option value, in one line with exit status 1', async () => {
    const dataDir = tempDir();
    const hive = await createHive({ dataDir, logger: memoryLogger().logger });
    await hive.close();
    const [badType, badSince, looseSince, badLimit, bigLimit, badTarget, none] = await Promise.all([
      runCli(['audit', dataDir, '--type', 'award']),
      runCli(['audit', dataDir, '--since', 'yesterday']),
      runCli(['audit', dataDir, '--since', 'March 7']),
      runCli(['audit', dataDir, '--limit', '-3']),
      runCli(['audit', dataDir, '--limit', '100001']),
      runCli(['audit', dataDir, '--target', '']),
      runCli(['audit', dataDir]),
    ]);
    expectOneLineError(
      badType,
      '--type: must be one of assign, reassign, reject, escalate, retry, cancel, auction.award, auction.unsold, handoff; got "award"',
    );
    const timeRule = 'must be an ISO 8601 time (such as 2026-11-22 or 2026-11-22T10:00:00Z) or milliseconds since the epoch';
    expectOneLineError(badSince, `--since: ${timeRule}; got "yesterday"`);
    expectOneLineError(looseSince, `--since: ${timeRule}; got "March 7"`);
    expectOneLineError(badLimit, '--limit: must be a whole number; got "-3"');
    expectOneLineError(bigLimit, '--limit: must be an integer from 1 to 100000; got 100001');
    expect(badTarget.code).toBe(1);
    expect(badTarget.stderr).toMatch(/^hivestate: --target: must be a non-empty string/);
    expect(none).toMatchObject({ code: 0, stdout: 'no audit records\n', stderr: '' });
  });
});
