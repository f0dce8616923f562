/**
 * @module readStore: a read-only view of a hive's data directory (status, agents, tasks, messages,
 * audit records): the stored checkpoint plus the journal after it, applied in memory by a replay
 * kernel. It takes no lock and writes nothing, so it works while another process runs the hive and
 * after one died mid-run.
 */
import { addressId } from '../../machines/address.js';
import { auditOf, type AuditRecord } from '../hive/auditQuery.js';
import { insightsOf, type PredictionFigures } from '../hive/insightsQuery.js';
import { listMessages } from '../hive/messageCommands.js';
import type { MessageView } from '../hive/messageViews.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentStatus, TaskStatus } from '../../machines/types.js';
import { isTerminalTaskStatus } from '../../machines/types.js';
import { NotFoundError, StoreError } from '../errors.js';
import { sessionReport, type SessionReport } from '../hive/sessionReport.js';
import type { Kernel } from '../kernel/Kernel.js';
import { replayKernel } from '../replay/replayKernel.js';
import { HiveStore } from '../store/HiveStore.js';
import { writerLockHolder } from '../store/writerLock.js';
import type { AgentView, CountsByStatus, TaskView } from '../views.js';

/** A task as the read side shows it (the public view). */
export type StoredTaskView = TaskView;

/** What `status` shows for a directory opened read-only. */
export interface StoredStatus {
  agents: CountsByStatus<AgentStatus>;
  tasks: CountsByStatus<TaskStatus>;
  /** Journal position of the last checkpoint. */
  checkpointSeq: number;
  /** When that checkpoint was written (epoch ms), 0 when none was. */
  checkpointAt: number;
  /** Last journaled input when the view was read. */
  lastSeq: number;
  /** Last input the views reflect: the checkpoint plus the journal after it, so `lastSeq` unless a writer appended since. */
  appliedSeq: number;
  /** Pid of the process writing the directory, when one holds its lock. */
  writerPid?: number;
  /** Auctions whose bidding window is open. */
  openAuctions: number;
  /** How well insights predicted each task's agent and duration (see `hive.insights()`). */
  predictions: PredictionFigures;
}

export interface ReadStore {
  status(): StoredStatus;
  agents(): AgentView[];
  /** Tasks newest first, optionally of one status or type, up to `limit`. */
  tasks(filter?: { status?: string; type?: string; limit?: number }): StoredTaskView[];
  /** Every task not yet terminal (oldest first). */
  unfinishedTasks(): StoredTaskView[];
  task(id: string): StoredTaskView;
  /** The session report (`hive.report()`) as of the last journaled input, with times measured to now. */
  report(now?: number): SessionReport;
  /** Messages newest first, as `hive.messages(filter)` lists them (the same options, checked the same way). */
  messages(filter?: unknown): MessageView[];
  /** Audit records oldest first, as `hive.audit(options)` returns them (the same options, checked the same way). */
  audit(options?: unknown): AuditRecord[];
  /** Catches up with inputs journaled since the view was opened (a live hive keeps writing). */
  refresh(): void;
  close(): Promise<void>;
}

/**
 * Opens a data directory read-only. The views show every journaled input: the last checkpoint is
 * restored and the journal after it replayed in memory (no handlers run, nothing is written).
 * Throws a StoreError when there is no hive there.
 * @example const view = openReadStore('./.hivestate'); console.log(view.status()); await view.close()
 */
export function openReadStore(dir: string): ReadStore {
  if (!existsSync(join(dir, 'hive.lmdb'))) throw new StoreError(`no hive in ${dir} (no hive.lmdb there); pass --data-dir to point at one`);
  const store = HiveStore.open(dir, { readOnly: true });
  // The replay kernel never checkpoints, so it is never closed (closing would write one).
  let kernel: Kernel;
  let base: { seq: number; at: number };
  const rebuild = () => {
    base = store.checkpoint() ?? { seq: 0, at: 0 };
    kernel = replayKernel(store);
  };
  const applied = () => kernel.status().lastSeq;
  rebuild();
  return {
    status() {
      const k = kernel.status();
      const writerPid = lockHolder(dir);
      return {
        agents: withTotal(k.agents),
        tasks: withTotal(k.tasks),
        checkpointSeq: base.seq,
        checkpointAt: base.at,
        lastSeq: Math.max(store.lastSeq(), k.lastSeq),
        appliedSeq: k.lastSeq,
        ...(writerPid !== undefined ? { writerPid } : {}),
        openAuctions: kernel.openAuctions(),
        predictions: insightsOf(kernel).predictions,
      };
    },
    agents: () => kernel.listAgents(),
    tasks: (filter = {}) => kernel.listTasks({ ...filter, limit: filter.limit ?? 100 }),
    unfinishedTasks() {
      const out: StoredTaskView[] = [];
      for (const address of kernel.hostedAddresses()) {
        if (!address.startsWith('task:')) continue;
        const view = kernel.getTask(addressId(address));
        if (view && !isTerminalTaskStatus(view.status)) out.push(view);
      }
      return out.sort((a, b) => a.createdAt - b.createdAt);
    },
    task(id) {
      const view = kernel.getTask(id);
      if (!view) throw new NotFoundError('task', id);
      return view;
    },
    report: (now = Date.now()) => sessionReport(kernel, now),
    messages: (filter = {}) => listMessages(kernel, filter),
    // The stored records plus those the replay derived from the journal after the checkpoint.
    audit: (options = {}) => auditOf(kernel, store, options),
    refresh() {
      // A newer checkpoint: start from it, so memory stays bounded as the writer's does.
      if ((store.checkpoint()?.seq ?? 0) !== base.seq) return rebuild();
      let next = applied() + 1;
      for (const rec of store.journalAfter(applied())) {
        // Records after our position were compacted away: only the checkpoint covers them.
        if (rec.seq !== next++) return rebuild();
        kernel.replayRecord(rec);
      }
    },
    close: () => store.close(),
  };
}

function withTotal<S extends string>(counts: Record<string, number>): CountsByStatus<S> {
  return { total: Object.values(counts).reduce((a, b) => a + b, 0), ...counts } as CountsByStatus<S>;
}

/**
 * The pid of the process holding the directory's writer lock, when one does and `hive.lock` names it.
 * @example const pid = lockHolder('./.hivestate') // undefined when no hive is running there
 */
export function lockHolder(dir: string): number | undefined {
  return writerLockHolder(dir).holder?.pid;
}
