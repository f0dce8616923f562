/** @module The torture invariants, checked against the final hive and the child's side files. */
import { createHive, isHiveError, type TaskView } from '../../src/index.js';
import { readAll } from './sideFiles.js';

export interface InvariantReport {
  table: Array<{ invariant: string; checked: number; violations: number }>;
  counts: Record<string, number>;
  violations: Array<{ invariant: string; taskId: string; detail: string }>;
}

/** Final statuses. `suspended` (agent failed, no capable backup) is not one: a drained hive has resumed every suspended task. */
const terminal = new Set(['completed', 'verified', 'failed', 'timed_out', 'rejected', 'cancelled']);

/** Opens the hive (it must be idle), checks every invariant, and closes it. */
export async function checkInvariants(dataDir: string, sideDir: string): Promise<InvariantReport> {
  const hive = await createHive({ dataDir });
  const violations: InvariantReport['violations'] = [];
  const rows = new Map<string, { checked: number; violations: number }>();
  const check = (invariant: string, ok: boolean, taskId: string, detail: string) => {
    const row = rows.get(invariant) ?? { checked: 0, violations: 0 };
    row.checked++;
    if (!ok) {
      row.violations++;
      violations.push({ invariant, taskId, detail });
    }
    rows.set(invariant, row);
  };
  try {
    const tasks = new Map<string, TaskView>((await hive.listTasks({ limit: 1_000_000 })).map((t) => [t.id, t]));
    for (const a of readAll<{ id: string }>(sideDir, 'acked')) {
      check('every acknowledged task exists', tasks.has(a.id), a.id, 'acknowledged by postTask but not in the hive');
    }
    for (const t of tasks.values()) check('every task is terminal', terminal.has(t.status), t.id, `status ${t.status}`);

    const terminalEvents = new Map<string, Set<string>>();
    for (const e of readAll<{ taskId: string; status: string }>(sideDir, 'terminal')) {
      const set = terminalEvents.get(e.taskId) ?? new Set();
      set.add(e.status);
      terminalEvents.set(e.taskId, set);
    }
    for (const [id, statuses] of terminalEvents) {
      check(
        'no task has two terminal results',
        statuses.size === 1 && (!tasks.has(id) || statuses.has(tasks.get(id)!.status)),
        id,
        `terminal events ${[...statuses].join(', ')}, final ${tasks.get(id)?.status}`,
      );
    }

    const outputs = new Map<string, unknown>();
    for (const o of readAll<{ taskId: string; attempt: number }>(sideDir, 'outputs')) outputs.set(`${o.taskId}#${o.attempt}`, o);
    let redispatches = 0;
    const maxRetries = new Map(readAll<{ id: string; maxRetries: number }>(sideDir, 'acked').map((a) => [a.id, a.maxRetries]));
    for (const t of tasks.values()) {
      redispatches += t.redispatches;
      if (t.status === 'completed' || t.status === 'verified') {
        const out = t.output as { taskId: string; attempt: number } | null;
        const produced = out ? outputs.get(`${t.id}#${out.attempt}`) : undefined;
        check(
          "output is the last successful attempt's",
          !!out && out.attempt === t.attempts && JSON.stringify(produced) === JSON.stringify(out),
          t.id,
          `output ${JSON.stringify(out)}, attempts ${t.attempts}, produced ${JSON.stringify(produced)}`,
        );
      }
      const limit = (maxRetries.get(t.id) ?? t.maxRetries) + 1 + t.redispatches;
      check('attempts <= maxRetries + 1 + redispatches', t.attempts <= limit, t.id, `attempts ${t.attempts} > ${limit}`);
    }
    const starts = readAll<{ taskId: string; attempt: number }>(sideDir, 'starts');
    const childViolations = readAll<{ kind: string; taskId: string }>(sideDir, 'violations');
    const depOrder = childViolations.filter((v) => v.kind === 'dependency-order');
    const stale = childViolations.filter((v) => v.kind === 'stale-checkpoint');
    // Checkpoints acknowledged per task and attempt (across processes: remote attempts run in several).
    const ackedByAttempt = new Map<string, Map<number, number>>();
    for (const c of readAll<{ taskId: string; attempt?: number; n: number }>(sideDir, 'checkpoints')) {
      if (c.attempt === undefined) continue;
      const m = ackedByAttempt.get(c.taskId) ?? new Map<number, number>();
      m.set(c.attempt, Math.max(m.get(c.attempt) ?? 0, c.n));
      ackedByAttempt.set(c.taskId, m);
    }
    const earlierAcked = (taskId: string, attempt: number) =>
      Math.max(0, ...[...(ackedByAttempt.get(taskId) ?? new Map<number, number>())].filter(([a]) => a < attempt).map(([, n]) => n));
    for (const s of starts as Array<{ taskId: string; attempt: number; seen?: number }>) {
      check(
        'dependencies completed before start',
        !depOrder.some((v) => v.taskId === s.taskId),
        s.taskId,
        JSON.stringify(depOrder.find((v) => v.taskId === s.taskId)),
      );
      const seenTooLittle = s.seen !== undefined && s.seen < earlierAcked(s.taskId, s.attempt);
      check(
        'attempt sees the latest acknowledged checkpoint',
        !stale.some((v) => v.taskId === s.taskId) && !seenTooLittle,
        s.taskId,
        JSON.stringify(stale.find((v) => v.taskId === s.taskId) ?? { attempt: s.attempt, seen: s.seen, acked: earlierAcked(s.taskId, s.attempt) }),
      );
    }
    const resumed = readAll<{ taskId: string; attempts: number }>(sideDir, 'resumed');
    for (const r of resumed) {
      const t = tasks.get(r.taskId);
      check(
        'durable timers fire after restart',
        !!t && (t.attempts > r.attempts || terminal.has(t.status)),
        r.taskId,
        `was retrying after ${r.attempts} attempts; now ${t?.status} after ${t?.attempts}`,
      );
    }
    for (const c of readAll<{ id: string }>(sideDir, 'cancelled')) {
      check('acknowledged cancels end cancelled', tasks.get(c.id)?.status === 'cancelled', c.id, `status ${tasks.get(c.id)?.status}`);
    }
    const unhandled = readAll<{ kind: string; cycle: number; detail: string }>(sideDir, 'violations').filter((v) => v.kind === 'unhandled-rejection');
    const cycles = readAll<{ cycle: number; kind: string; faulted: boolean; closeMs?: number | 'hung' }>(sideDir, 'cycles');
    for (const c of cycles) {
      const found = unhandled.filter((u) => u.cycle === c.cycle);
      check('no unhandled rejection', found.length === 0, `cycle ${c.cycle}`, found.map((u) => u.detail).join('; '));
    }
    for (const c of cycles.filter((x) => x.faulted)) {
      check('close() returns after a store failure', typeof c.closeMs === 'number', `cycle ${c.cycle}`, `${c.kind} fault: close() did not return within 20 s`);
    }
    for (const f of readAll<{ id: string; mayHaveBeenRecorded: boolean }>(sideDir, 'refused')) {
      if (!f.mayHaveBeenRecorded)
        check(
          'a call refused as not recorded did not happen',
          !tasks.has(f.id),
          f.id,
          `refused with mayHaveBeenRecorded false, yet it is ${tasks.get(f.id)?.status}`,
        );
    }
    for (const i of readAll<{ cycle: number; answer: string }>(sideDir, 'intruders')) {
      check('a second writer is refused after hive.lock was deleted', i.answer === 'locked', `cycle ${i.cycle}`, `the intruder answered ${i.answer}`);
    }
    const byStatus: Record<string, number> = {};
    for (const t of tasks.values()) byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
    return {
      table: [...rows].map(([invariant, r]) => ({ invariant, ...r })),
      counts: {
        tasks: tasks.size,
        acknowledged: maxRetries.size,
        attemptsStarted: starts.length,
        redispatches,
        timersResumedAfterRestart: resumed.length,
        ...byStatus,
      },
      violations,
    };
  } catch (err) {
    if (isHiveError(err)) throw new Error(`checking invariants failed: ${err.message}`, { cause: err });
    throw err;
  } finally {
    await hive.close();
  }
}
