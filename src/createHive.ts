/** @module createHive: the public entry point; a Hive is a thin facade over the kernel, admission and effects. */
import type { Json } from '../machines/types.js';
import type { Colony } from './colony/Colony.js';
import type { ColonySpec } from './colony/colonySpecs.js';
import type { ColonyView } from './colony/colonyViews.js';
import { compileCloseOptions, type CloseOptions } from './closeOptions.js';
import { NotFoundError, ValidationError } from './errors.js';
import { assembleHive } from './hive/assembleHive.js';
import { HiveBase } from './hive/HiveBase.js';
import { compileHiveOptions, type HiveOptions } from './hive/compileHiveOptions.js';
import type { HiveEventType, HiveStatus } from './hive/hiveTypes.js';
import { openControl } from './hive/openControl.js';
import { sessionReport, type SessionReport } from './hive/sessionReport.js';
import { listSchedules, scheduleCommand, scheduleView, setSchedule } from './hive/scheduleCommands.js';
import { prune } from './hive/taskCommands.js';
import { type BroadcastOptions, broadcastMessage, channelCommand, listMessages, sendMessage, type SendSpec } from './hive/messageCommands.js';
import type { MessageView } from './hive/messageViews.js';
import type { InspectionRecord } from './kernel/InspectionRecord.js';
import type { HiveEvent } from './kernel/Kernel.js';
import type { ScheduleOptions } from './schedule/scheduleRecord.js';
import type { ScheduleView } from './schedule/scheduleView.js';
import { insightsOf, type Insights } from './hive/insightsQuery.js';
import { checkId, checkName } from './validate.js';
import type { AgentView } from './views.js';

export { defaultHiveOptions, type HiveOptions } from './hive/compileHiveOptions.js';

export type { HiveEventType, HiveStatus } from './hive/hiveTypes.js';

/**
 * Opens (or recovers) a hive on a data directory.
 * @example
 * const hive = await createHive({ dataDir: './.hive', handlers: { echo: async (t) => t.input } })
 * await hive.spawnAgent({ name: 'a', capabilities: ['echo'] })
 * const t = await hive.postTask({ type: 'echo', input: 1 }); await hive.waitForTask(t.id)
 */
export async function createHive(options: HiveOptions = {}): Promise<Hive> {
  const o = compileHiveOptions(options);
  const parts = await assembleHive(o);
  const hive = new Hive(o, parts);
  if (o.control) await openControl(hive, parts, o.dataDir);
  return hive;
}

export class Hive extends HiveBase {
  // ------------------------------------------------------------ messages (src/hive/messageCommands.ts)

  /** Sends a typed envelope to an agent's `onMessage`; resolves with it (id, time, delivery state) once durable. @example await hive.send({ type: 'COMMAND', to: 'builder', payload: { op: 'flush' } }) */
  async send(envelope: SendSpec): Promise<MessageView> {
    this.assertOpen();
    return sendMessage(this.kernel, this.o.messages, envelope);
  }
  /** Envelopes newest first with their delivery state, by receiver and type, up to `limit` (100). @example await hive.messages({ to: 'builder', type: 'COMMAND' }) */
  async messages(filter: { to?: string; type?: SendSpec['type']; limit?: number } = {}): Promise<MessageView[]> {
    this.assertNotClosed();
    return listMessages(this.kernel, filter);
  }
  /** Subscribes an agent to a channel (durable; `'*'` takes every broadcast). @example await hive.subscribe('builder', 'alerts') */
  subscribe(agentId: string, channel: string): Promise<AgentView> {
    this.assertOpen();
    return channelCommand(this.kernel, 'channel.subscribe', agentId, channel);
  }
  /** Ends an agent's subscription to a channel. @example await hive.unsubscribe('builder', 'alerts') */
  unsubscribe(agentId: string, channel: string): Promise<AgentView> {
    this.assertOpen();
    return channelCommand(this.kernel, 'channel.unsubscribe', agentId, channel);
  }
  /** One BROADCAST to each subscriber of `channel` (every agent for `'*'`), the sender excluded. @example await hive.broadcast('alerts', { level: 'high' }) */
  async broadcast(channel: string, payload?: Json, options: BroadcastOptions = {}): Promise<MessageView[]> {
    this.assertOpen();
    return broadcastMessage(this.kernel, this.o.messages, channel, payload, options);
  }

  // ------------------------------------------------------------ schedules

  /**
   * Posts a task on a schedule (`every` ms or a `cron` pattern), durably: a slot's task has the
   * slot time in its id (`<id>@<ISO time>`), so no slot posts twice, also across restarts. The same
   * id with the same options changes nothing (declare schedules on every start); other options update it.
   * @example await hive.schedule({ id: 'nightly', cron: '0 3 * * *', task: { type: 'backup' }, overlap: 'skip' })
   */
  async schedule(options: ScheduleOptions): Promise<ScheduleView> {
    this.assertOpen();
    return setSchedule(this.kernel, options, this.host.admission.assignmentFor);
  }

  /** Stops a schedule's slots until `resumeSchedule`; slots in between are not caught up. */
  pauseSchedule(id: string): Promise<ScheduleView> {
    this.assertOpen();
    return scheduleCommand(this.kernel, 'schedule.pause', id);
  }
  /** Starts a paused schedule again from its next slot after now. */
  resumeSchedule(id: string): Promise<ScheduleView> {
    this.assertOpen();
    return scheduleCommand(this.kernel, 'schedule.resume', id);
  }
  /** Deletes a schedule (tasks it posted are left alone). */
  removeSchedule(id: string): Promise<ScheduleView> {
    this.assertOpen();
    return scheduleCommand(this.kernel, 'schedule.remove', id);
  }

  /** Every schedule (active or paused), by id. */
  async schedules(): Promise<ScheduleView[]> {
    this.assertOpen();
    return listSchedules(this.kernel);
  }

  async getSchedule(id: string): Promise<ScheduleView> {
    checkId('scheduleId', id);
    const view = scheduleView(this.kernel, id);
    if (!view || view.status === 'removed') throw new NotFoundError('schedule', id);
    return view;
  }

  /**
   * Deletes finished tasks that finished before the retention window (or `before`, epoch ms), in a
   * checkpoint written at once. With `compactJournal: true` it also deletes journal records accepted
   * before that time (they are covered by the checkpoint), which keeps a long-running data directory
   * bounded but means replay cannot go back past that point. Resolves with how many tasks were deleted.
   * @example await hive.prune({ compactJournal: true })
   */
  async prune(options: { before?: number; compactJournal?: boolean } = {}): Promise<number> {
    this.assertOpen();
    return prune(this.kernel, this.o.clock.now() - this.o.retentionMs, options);
  }

  /** Writes a checkpoint now (normally done every N inputs or T ms). */
  async checkpoint(): Promise<void> {
    this.assertOpen();
    return this.kernel.checkpoint();
  }

  // ------------------------------------------------------------ colonies

  /**
   * Creates a colony: a queen whose workers run `handler` in parallel, each on its own job.
   * Resolves once it is durable.
   * @example
   * const colony = await hive.spawnColony({ name: 'tests', handler: async (job) => runTests(job.input) })
   * const ids = await colony.spawnBatch(modules.map((m) => ({ task: 'test', input: m })))
   * const reports = await colony.waitForReports(ids, { timeoutMs: 60_000 })
   */
  async spawnColony(spec: ColonySpec): Promise<Colony> {
    this.assertOpen();
    return this.parts.colonies.spawnColony(spec);
  }

  /** The handle on an existing colony (also after a restart); NotFoundError if unknown. */
  colony(id: string): Colony {
    return this.parts.colonies.colony(id);
  }

  /** Every colony with its counts and triggers, oldest first. */
  async listColonies(): Promise<ColonyView[]> {
    return this.parts.colonies.list();
  }

  // ------------------------------------------------------------ observing

  /**
   * Subscribes to lifecycle events ('*' for all); returns an unsubscribe function.
   * @example const off = hive.on('task.completed', (e) => console.log(e.taskId))
   */
  on(type: HiveEventType, fn: (e: HiveEvent) => void): () => void {
    this.assertNotClosed();
    if (typeof fn !== 'function') throw new ValidationError('on', 'needs a listener function');
    checkName('event type', type);
    return this.kernel.on(type, fn);
  }

  /**
   * Subscribes to the kernel's inspection stream: actors created/restored/passivated, inputs applied,
   * state transitions, messages between actors, effects dispatched, checkpoints written.
   * @example const off = hive.inspect((r) => r.kind === 'transition' && console.log(r.address, r.from, '->', r.to))
   */
  inspect(fn: (record: InspectionRecord) => void): () => void {
    this.assertNotClosed();
    if (typeof fn !== 'function') throw new ValidationError('inspect', 'needs a function');
    return this.kernel.inspect(fn);
  }

  /** The inspector started by the `inspect` option: its URL (with the access token) and token. */
  get inspector(): { url: string; token: string; port: number } | undefined {
    const s = this.parts.inspector;
    return s ? { url: s.url, token: s.token, port: s.port } : undefined;
  }

  /** The HTTP listener started by the `http` option (webhook triggers at `POST /hooks/<path>`). */
  get http(): { url: string; port: number; host: string } | undefined {
    const h = this.parts.http;
    return h ? { url: h.url, port: h.port, host: h.host } : undefined;
  }

  /** Counts of agents and tasks by status, the queue length and the journal position. */
  async status(): Promise<HiveStatus> {
    this.assertNotClosed();
    const s = this.kernel.status();
    const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    return {
      ...s,
      agents: { total: total(s.agents), ...s.agents },
      tasks: { total: total(s.tasks), ...s.tasks },
      openAuctions: this.kernel.openAuctions(),
      predictions: insightsOf(this.kernel).predictions,
    };
  }

  /**
   * What the hive learned about its own work: how well it predicted, when each task was posted,
   * which agent would run it and how long it would take (scored when the task ended), and ranked
   * advisories (an agent failing a task type, a type no agent can take, a queue growing faster than
   * it drains, an agent that keeps losing auctions). Derived from the journal alone.
   * @example hive.insights().advisories[0]?.message
   */
  insights(): Insights {
    this.assertNotClosed();
    return insightsOf(this.kernel);
  }

  /**
   * The session's status: phases with progress, agents active / idle / error, tasks by status,
   * elapsed and estimated remaining time, and health (HEALTHY, DEGRADED, CRITICAL) with its issues.
   * @example const r = await hive.report(); if (r.health !== 'HEALTHY') console.log(r.issues)
   */
  async report(): Promise<SessionReport> {
    this.assertNotClosed();
    return sessionReport(this.kernel, this.o.clock.now());
  }

  /**
   * True while more tasks wait in the pending queue than `createHive({ queueLimit })` allows (never
   * without a limit). Auction intake pauses on it; `report()` lists it as an issue.
   * @example if (hive.isUnderPressure()) await slowDown()
   */
  isUnderPressure(): boolean {
    this.assertNotClosed();
    return this.kernel.queuePressure().over;
  }

  /**
   * Aborts running attempts and waits up to `timeoutMs` (default 5000) for their handlers to return,
   * flushes a checkpoint, closes the store and releases the lock. Handlers still running then are
   * abandoned: their outcomes are dropped and their tasks run again on the next open.
   * @example await hive.close({ timeoutMs: 10_000 })
   */
  async close(options: CloseOptions = {}): Promise<void> {
    const { timeoutMs } = compileCloseOptions(options);
    this.closing ??= this.parts.close(timeoutMs).finally(() => {
      for (const end of [...this.waits]) end();
    });
    return this.closing;
  }
}
