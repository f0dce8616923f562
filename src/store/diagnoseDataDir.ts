/**
 * @module diagnoseDataDir: the doctor's checks of a data directory, read-only: the file and LMDB's
 * pages, the format and named databases, then every journal record, stored actor, index entry and
 * timer, listing every problem found rather than stopping at the first. `hivestate doctor` runs it
 * in a child process (see runDoctor), so a read that crashes the process is reported, not suffered.
 */
import { addressId, parseAddress, taskAddress } from '../../machines/address.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { isTerminalTaskStatus } from '../../machines/types.js';
import { lockHolder } from '../query/readStore.js';
import { actorsDigest, actorsDigestKey, checkDataFile, checkHiveConsistency, journalCoveredKey } from './checkDataDir.js';
import { checkLmdbPages, type LmdbHeader } from './checkLmdbPages.js';
import type { StoredActor, StoredTimer } from './HiveStore.js';
import { databaseNames, openHiveDatabases, seekDatabaseNames, type HiveDatabases } from './openHiveDatabases.js';
import type { SealedDatabase } from './SealedDatabase.js';

/** The checks, in the order they run, each with what it reads (for "crashed while reading ..."). */
export const doctorChecks = [
  { id: 'file', reads: 'the file and its meta pages' },
  { id: 'pages', reads: "LMDB's page structure" },
  { id: 'databases', reads: 'the list of named databases' },
  { id: 'meta', reads: 'meta (checkpoint marker, counts, digest)' },
  { id: 'journal', reads: 'the journal' },
  { id: 'actors', reads: 'the stored actors' },
  { id: 'indexes', reads: 'the indexes (byOrder, byStatus, live, idempotency)' },
  { id: 'timers', reads: 'the timers' },
] as const;

export type DoctorCheckId = (typeof doctorChecks)[number]['id'];

export interface DoctorCheck {
  id: DoctorCheckId;
  ok: boolean;
  /** What was found: a summary line when ok, the problems otherwise (at most `maxProblems`). */
  details: string[];
  /** True when the check could not run (an earlier one failed, or a hive is writing the directory). */
  skipped?: boolean;
}

export interface DoctorReport {
  dir: string;
  healthy: boolean;
  checks: DoctorCheck[];
  /** Set when the checking process died: the signal and what it was reading. */
  crashed?: { signal: string; reading: string };
}

const maxProblems = 20;

/**
 * Runs every check on `dir` and returns the report. `onCheck(id)` is called as each check starts and
 * `onCheck(id, result)` as it ends.
 * @example const report = diagnoseDataDir('./.hivestate'); console.log(report.healthy)
 */
export function diagnoseDataDir(dir: string, onCheck: (id: DoctorCheckId, done?: DoctorCheck) => void = () => undefined): DoctorReport {
  const file = join(dir, 'hive.lmdb');
  const checks: DoctorCheck[] = [];
  const finish = (check: DoctorCheck) => {
    checks.push(check);
    onCheck(check.id, check);
  };
  let root: RootDatabase | undefined;
  let dbs: HiveDatabases | undefined;
  let stopped = false;
  // A body returns its summary line, or `{ skipped }` when it cannot run; problems go in `problems`.
  // Returns whether the check failed.
  const run = (id: DoctorCheckId, body: (problems: string[]) => string | { skipped: string }): boolean => {
    if (stopped) {
      finish({ id, ok: false, skipped: true, details: ['not checked: an earlier check failed'] });
      return true;
    }
    onCheck(id);
    const problems: string[] = [];
    let outcome: string | { skipped: string } = 'ok';
    try {
      outcome = body(problems);
    } catch (err) {
      problems.push((err as Error).message);
    }
    if (typeof outcome !== 'string') {
      finish({ id, ok: true, skipped: true, details: [outcome.skipped] });
      return false;
    }
    const shown = problems.length > maxProblems ? [...problems.slice(0, maxProblems), `... and ${problems.length - maxProblems} more`] : problems;
    finish({ id, ok: problems.length === 0, details: problems.length === 0 ? [outcome] : shown });
    return problems.length > 0;
  };
  const writer = lockHolder(dir);
  try {
    stopped = run('file', () => {
      if (!checkDataFile(file).exists) throw new Error(`${file} does not exist: no hive here`);
      root = open({ path: file, maxDbs: 16, readOnly: true });
      const stats = root.getStats() as LmdbHeader;
      return `${file}: ${statSync(file).size} bytes, LMDB pages of ${stats.pageSize} bytes, ${stats.lastPageNumber + 1} allocated`;
    });
    stopped =
      run('pages', () => {
        if (writer !== undefined)
          return { skipped: `not walked: process ${writer} is writing this directory; check a copy made with \`hivestate backup\` for a full check` };
        const walked = checkLmdbPages(file, root!.getStats() as LmdbHeader);
        return `${walked.trees.reduce((n, t) => n + t.pages, 0)} pages in use, ${walked.trees.length - 1} named databases, free list clear`;
      }) || stopped;
    stopped =
      run('databases', () => {
        dbs = openHiveDatabases(root!, { file, readOnly: true });
        return `format ${dbs.format}${dbs.format < 2 ? ' (values carry no checksums: damage to them cannot be detected)' : ''}; ${[...databaseNames, ...(dbs.seek ? seekDatabaseNames : [])].join(', ')}`;
      }) || stopped;
    run('meta', (problems) => checkMeta(dbs!, file, problems));
    run('journal', (problems) => checkJournal(dbs!, problems));
    const tasks = new Map<string, { status: string; order: number }>();
    const addresses = new Set<string>();
    run('actors', (problems) => checkActors(dbs!, tasks, addresses, problems));
    run('indexes', (problems) => checkIndexes(dbs!, tasks, addresses, problems));
    run('timers', (problems) => checkTimers(dbs!, addresses, problems));
  } finally {
    root?.close().catch(() => undefined);
  }
  return { dir, healthy: checks.every((c) => c.ok), checks };
}

function checkMeta(dbs: HiveDatabases, file: string, problems: string[]): string {
  let entries = 0;
  for (const { key, stored } of dbs.meta.rawRange()) {
    entries++;
    try {
      dbs.meta.decode(key, stored);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  try {
    checkHiveConsistency(dbs, file);
  } catch (err) {
    problems.push((err as Error).message);
  }
  const cp = dbs.meta.get('checkpoint') as { seq: number } | undefined;
  const counts = dbs.meta.get('taskCounts') as Record<string, number> | undefined;
  return `${entries} entries; checkpoint at input ${cp?.seq ?? 'none'}; ${counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0} stored tasks; journal covered up to ${String(dbs.meta.get(journalCoveredKey) ?? 'n/a')}`;
}

function checkJournal(dbs: HiveDatabases, problems: string[]): string {
  const journalStart = (dbs.meta.get('journalStart') as number | undefined) ?? 1;
  let count = 0;
  let first: number | undefined;
  let last = 0;
  let gaps = 0;
  for (const { key, stored } of dbs.journal.rawRange()) {
    count++;
    const seq = key as number;
    first ??= seq;
    if (count > 1 && seq !== last + 1) gaps += seq - last - 1;
    last = seq;
    try {
      const rec = dbs.journal.decode(key, stored);
      if (!rec || typeof rec !== 'object' || rec.seq !== seq || typeof rec.at !== 'number' || typeof rec.input?.type !== 'string')
        problems.push(`journal record ${seq} is not a {seq, at, input} record for its key`);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (first !== undefined && first < journalStart) problems.push(`the journal starts at input ${first}, before meta.journalStart ${journalStart}`);
  if (count !== dbs.journal.entryCount()) problems.push(`the journal has ${count} readable records but LMDB counts ${dbs.journal.entryCount()}`);
  if (count === 0) return 'empty';
  return `${count} records, inputs ${first} to ${last}${gaps > 0 ? ` (${gaps} seqs never journaled: appends that failed)` : ''}`;
}

function checkActors(dbs: HiveDatabases, tasks: Map<string, { status: string; order: number }>, addresses: Set<string>, problems: string[]): string {
  const counts: Record<string, number> = {};
  let agents = 0;
  for (const { key, stored } of dbs.actors.rawRange()) {
    const address = String(key);
    addresses.add(address);
    let actor: StoredActor;
    try {
      actor = dbs.actors.decode(key, stored);
    } catch (err) {
      problems.push((err as Error).message);
      continue;
    }
    const context = (actor?.snapshot as { context?: { id?: unknown; spec?: { id?: unknown } } } | undefined)?.context;
    if (actor?.kind === 'task') {
      // Tasks keep their id in `spec` (0.1 kept it at the top of the context).
      const id = context?.spec?.id ?? context?.id;
      if (!address.startsWith('task:') || id !== addressId(address)) problems.push(`actor ${address} holds the snapshot of task ${JSON.stringify(id)}`);
      tasks.set(addressId(address), { status: actor.status, order: actor.order });
      counts[actor.status] = (counts[actor.status] ?? 0) + 1;
    } else if (actor?.kind === 'agent') {
      agents++;
      if (!address.startsWith('agent:') || context?.id !== addressId(address))
        problems.push(`actor ${address} holds the snapshot of agent ${JSON.stringify(context?.id)}`);
    } else if (parseAddress(address)?.kind !== actor?.kind) {
      problems.push(`actor ${address} has an unknown kind ${JSON.stringify(actor?.kind)}`);
    }
  }
  const kept = dbs.meta.get('taskCounts') as Record<string, number> | undefined;
  if (kept && JSON.stringify(sorted(kept)) !== JSON.stringify(sorted(counts)))
    problems.push(`meta.taskCounts ${JSON.stringify(sorted(kept))} differ from the stored tasks ${JSON.stringify(sorted(counts))}`);
  if (dbs.format >= 2) {
    const { sum } = actorsDigest(dbs);
    const expected = (dbs.meta.get(actorsDigestKey) as number | undefined) ?? 0;
    if (sum !== expected)
      problems.push(`the stored actors' digest ${sum.toString(16)} differs from the one the last checkpoint recorded (${expected.toString(16)})`);
  }
  return `${tasks.size} tasks (${
    Object.entries(sorted(counts))
      .map(([s, n]) => `${n} ${s}`)
      .join(', ') || 'none'
  }), ${agents} agent${agents === 1 ? '' : 's'}`;
}

function checkIndexes(dbs: HiveDatabases, tasks: Map<string, { status: string; order: number }>, addresses: Set<string>, problems: string[]): string {
  const inByOrder = new Set<string>();
  scan(dbs.byOrder, problems, (order, id) => {
    inByOrder.add(id);
    const task = tasks.get(id);
    if (!task) problems.push(`byOrder ${order} names task ${JSON.stringify(id)}, which is not stored`);
    else if (task.order !== order) problems.push(`byOrder ${order} names task ${JSON.stringify(id)}, whose order is ${task.order}`);
  });
  let byStatus = 0;
  scan(dbs.byStatus, problems, ([status, order], id) => {
    byStatus++;
    const task = tasks.get(id);
    if (!task) problems.push(`byStatus [${status}, ${order}] names task ${JSON.stringify(id)}, which is not stored`);
    else if (task.status !== status || task.order !== order)
      problems.push(`byStatus [${status}, ${order}] names task ${JSON.stringify(id)}, which is ${task.status} with order ${task.order}`);
  });
  for (const id of tasks.keys()) if (!inByOrder.has(id)) problems.push(`task ${JSON.stringify(id)} is stored but missing from byOrder`);
  if (byStatus !== tasks.size) problems.push(`byStatus holds ${byStatus} entries for ${tasks.size} stored tasks`);
  const live = new Set<string>();
  scan(dbs.live, problems, (address) => {
    live.add(address);
    if (!addresses.has(address)) problems.push(`live lists ${address}, which is not stored`);
  });
  for (const [id, task] of tasks) {
    if (isTerminalTaskStatus(task.status) === live.has(taskAddress(id)))
      problems.push(`task ${JSON.stringify(id)} is ${task.status} but ${live.has(taskAddress(id)) ? 'listed' : 'not listed'} as live`);
  }
  let keys = 0;
  scan(dbs.idempotency, problems, (key, id) => {
    keys++;
    if (!tasks.has(id)) problems.push(`idempotency key ${JSON.stringify(key)} names task ${JSON.stringify(id)}, which is not stored`);
  });
  return `byOrder ${inByOrder.size}, byStatus ${byStatus}, live ${live.size}, idempotency keys ${keys}: all agree with the stored actors`;
}

function checkTimers(dbs: HiveDatabases, addresses: Set<string>, problems: string[]): string {
  let count = 0;
  scan(dbs.timers, problems, (key, timer: StoredTimer) => {
    count++;
    if (timer?.timerId !== key || typeof timer.due !== 'number' || typeof timer.event?.type !== 'string')
      problems.push(`timer ${JSON.stringify(key)} is not a timer record for its key`);
    else if (!addresses.has(timer.target)) problems.push(`timer ${JSON.stringify(key)} targets ${timer.target}, which is not stored`);
  });
  return `${count} timers`;
}

/** Every entry of `db`, decoded one by one so that one damaged entry does not hide the rest. */
function scan<V, K extends import('lmdb').Key>(db: SealedDatabase<V, K>, problems: string[], each: (key: K, value: V) => void): void {
  let count = 0;
  for (const { key, stored } of db.rawRange()) {
    count++;
    let value: V;
    try {
      value = db.decode(key, stored);
    } catch (err) {
      problems.push((err as Error).message);
      continue;
    }
    each(key, value);
  }
  if (count !== db.entryCount()) problems.push(`database ${db.name} has ${count} readable entries but LMDB counts ${db.entryCount()}`);
}

function sorted(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
}
