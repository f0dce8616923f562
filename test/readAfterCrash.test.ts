import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openReadStore } from '../src/query/readStore.js';
import { runCli } from './cliRunner.js';
import { tempDir, until } from './helpers.js';

const fixture = join(import.meta.dirname, 'fixtures', 'postWithoutCheckpoint.ts');
function startWriter(dir: string, ackFile: string, prefix: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, ackFile, prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  return { child, exited };
}

const acked = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

describe('read-only views after a crash', () => {
  it('status, tasks, agents and dashboard show every acknowledged input of a hive killed before its first checkpoint', async () => {
    const root = tempDir();
    const dir = join(root, 'data');
    const ackFile = join(root, 'acked.txt');
    const { child, exited } = startWriter(dir, ackFile, 't');
    await until(() => acked(ackFile).length >= 40, 30_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const ids = acked(ackFile);

    const [status, tasks, agents, dashboard] = await Promise.all([
      runCli(['status', '--data-dir', dir, '--json']),
      runCli(['tasks', '--data-dir', dir, '--limit', '100000', '--json']),
      runCli(['agents', '--data-dir', dir, '--json']),
      runCli(['dashboard', '--once', '--data-dir', dir]),
    ]);
    for (const r of [status, tasks, agents, dashboard]) expect(r.stderr).toBe('');

    const s = JSON.parse(status.stdout) as {
      tasks: Record<string, number>;
      agents: Record<string, number>;
      lastSeq: number;
      checkpointSeq: number;
      appliedSeq: number;
    };
    // Nothing was checkpointed: everything shown comes from the journal.
    expect(s.checkpointSeq).toBe(0);
    expect(s.agents.total).toBe(1);
    const list = JSON.parse(tasks.stdout) as Array<{ id: string; status: string; type: string }>;
    const listed = new Set(list.map((t) => t.id));
    for (const id of ids) expect(listed.has(id), `acknowledged task ${id} is listed`).toBe(true);
    expect(s.tasks.total).toBe(list.length);
    const byStatus: Record<string, number> = {};
    for (const t of list) byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
    const { total: _total, ...counts } = s.tasks;
    expect(counts).toEqual(byStatus);
    // The agent ran some of them before the kill; the ones no agent can run wait.
    expect(byStatus.completed ?? 0).toBeGreaterThan(0);
    expect(list.filter((t) => t.type === 'nobody-runs-this').every((t) => t.status === 'pending')).toBe(true);

    expect((JSON.parse(agents.stdout) as Array<{ id: string }>).map((a) => a.id)).toEqual(['w1']);
    expect(dashboard.stdout).toMatch(new RegExp(`\\ntasks \\d+/${list.length} done`));
    expect(dashboard.stdout).not.toMatch(/inputs newer/);
    // The views include every journaled input, not just the checkpointed ones.
    expect(s.appliedSeq).toBe(s.lastSeq);
  }, 60_000);

  it('a view opened while a hive writes catches up with refresh()', async () => {
    const root = tempDir();
    const dir = join(root, 'data');
    const first = startWriter(dir, join(root, 'first.txt'), 'a');
    await until(() => acked(join(root, 'first.txt')).length >= 5, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;

    const view = openReadStore(dir);
    const second = startWriter(dir, join(root, 'second.txt'), 'b');
    try {
      const before = view.status().appliedSeq;
      await until(() => acked(join(root, 'second.txt')).length >= 20, 30_000);
      expect(view.status().appliedSeq).toBe(before);
      // Acknowledged before refresh(), so journaled before it.
      const ackedIds = [...acked(join(root, 'first.txt')), ...acked(join(root, 'second.txt'))];
      view.refresh();
      const ids = new Set(view.tasks({ limit: 100_000 }).map((t) => t.id));
      for (const id of ackedIds) expect(ids.has(id), id).toBe(true);
      expect(view.status().tasks.total).toBe(ids.size);
      expect(view.status().appliedSeq).toBeGreaterThan(before);
      expect(view.status().checkpointSeq).toBe(0);

      // A writer that checkpoints (the CLI's post closes the hive): the view restarts from that checkpoint.
      second.child.kill('SIGKILL');
      await second.exited;
      expect((await runCli(['post', 'work', '--id', 'late', '--data-dir', dir])).stderr).toBe('');
      view.refresh();
      expect(view.status().checkpointSeq).toBeGreaterThan(0);
      expect(view.task('late').type).toBe('work');
      for (const id of ackedIds) expect(view.task(id).id).toBe(id);
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
      await view.close();
    }
  }, 60_000);
});
