/**
 * @module runDemo: runs the build-orchestration swarm on a data directory until every task is
 * terminal, drawing a live dashboard (TTY) or plain progress lines. Rerunning on the same directory
 * resumes: agents and tasks are found again, work in flight is re-dispatched from its checkpoint.
 */
import type { WriteStream } from 'node:tty';
import { pino } from 'pino';
import { isTerminalTaskStatus } from '../../machines/types.js';
import { dashboardModel, type DashboardTask } from '../cli/dashboard/dashboardModel.js';
import { LiveScreen } from '../cli/dashboard/LiveScreen.js';
import { formatDuration, renderDashboard } from '../cli/dashboard/renderDashboard.js';
import { createHive, type Hive } from '../createHive.js';
import { isHiveError } from '../errors.js';
import type { HiveEvent } from '../kernel/Kernel.js';
import type { TaskView } from '../views.js';
import type { SessionReport } from '../hive/sessionReport.js';
import { describeReport } from '../cli/describeReport.js';
import { buildPlan, buildTeam, phaseOf, workProfile } from './buildTeam.js';
import { DemoClock } from './demoClock.js';
import { demoHandlers, demoVerifiers } from './simulatedWork.js';
import { coverageGate, coverageWorker, testColonyId } from './testColony.js';
import type { Colony } from '../colony/Colony.js';
import { wipeHiveDir } from './wipeHiveDir.js';

export interface DemoOptions {
  dataDir: string;
  /** Divides every simulated duration. @default 1 */
  speed?: number;
  /** Where the dashboard or progress lines go. @default process.stdout */
  out?: NodeJS.WritableStream;
  /** Stops the run: the hive is closed cleanly and the promise resolves with `stopped: true`. */
  signal?: AbortSignal;
  /** Redraws per second of the TTY dashboard. @default 4 */
  fps?: number;
  /** Accept `hivestate post` / `cancel` from other processes over a local socket. @default true */
  control?: boolean;
  /** Delete the directory's hive data first (after checking it is a hive directory). @default false */
  fresh?: boolean;
}

export interface DemoResult {
  stopped: boolean;
  tasks: number;
  byStatus: Record<string, number>;
  resumed: boolean;
  elapsedMs: number;
  /** The session report at the end (`hive.report()`): phases, agents, health and issues. */
  report: SessionReport;
}

/**
 * Runs (or resumes) the demo swarm.
 * @example const r = await runDemo({ dataDir: './.hivestate', speed: 2 }); console.log(r.byStatus)
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const speed = options.speed ?? 1;
  const out = options.out ?? process.stdout;
  const tty = (out as WriteStream).isTTY === true;
  if (options.fresh) wipeHiveDir(options.dataDir);
  let colony: Colony | undefined;
  const handlers = demoHandlers(speed);
  const work = handlers.quality!;
  // The coverage gate fans out to the test colony; the other gates work alone.
  const gate = coverageGate(() => colony!);
  handlers.quality = (task, ctx) => (task.id === 'quality:coverage' ? gate(task, ctx) : work(task, ctx));
  const hive = await createHive({
    dataDir: options.dataDir,
    handlers,
    colonies: { [testColonyId]: coverageWorker(speed) },
    verifiers: demoVerifiers,
    logger: pino({ level: 'silent' }),
    control: options.control !== false,
  });
  const clock = new DemoClock(options.dataDir).start();
  const started = new Map<string, number>();
  const offs: Array<() => void> = [hive.on('task.started', (e) => void started.set(String(e.taskId), Number(e.at)))];
  let screen: LiveScreen | undefined;
  let ticker: NodeJS.Timeout | undefined;
  try {
    let resumed = false;
    for (const member of buildTeam) {
      const known = await hive.getAgent(member.spec.id).then(
        () => true,
        (err: unknown) => {
          if (isHiveError(err, 'not_found')) return false;
          throw err;
        },
      );
      resumed ||= known;
      // An existing agent is returned as it is, with its functions (bid, onMessage) attached again.
      await hive.spawnAgent({ ...member.spec, onMessage: async () => undefined });
    }
    try {
      colony = hive.colony(testColonyId);
    } catch (err) {
      if (!isHiveError(err, 'not_found')) throw err;
      colony = await hive.spawnColony({ id: testColonyId, name: 'test colony', handler: coverageWorker(speed), maxConcurrentWorkers: 3 });
    }
    // The lead supervises: an agent that failed too often in a row is put back to work after a pause.
    const coolDownMs = Math.round(3000 / speed);
    const revive = (id: string) => void hive.resumeAgent(id).catch(() => undefined);
    offs.push(hive.on('agent.error', (e) => void setTimeout(() => revive(String(e.agentId)), coolDownMs).unref()));
    for (const a of await hive.listAgents({ status: 'error' })) revive(a.id);
    // The lead tells every agent when a phase is complete: BROADCAST envelopes, listed by `hivestate messages`.
    offs.push(
      hive.on('phase.completed', (e) => {
        const note = { phase: String(e.phase), done: Number(e.done), total: Number(e.total) };
        void hive
          .broadcast('*', note, { from: 'lead' })
          .then((sent) => tty || out.write(`${clockTime(Date.now())} message   lead to ${sent.length} agents: phase ${note.phase} complete\n`))
          .catch(() => undefined); // the demo is closing
      }),
    );
    const plan = buildPlan({ speed });
    const ids = (await hive.postTasks(plan)).map((t) => t.id);
    const snapshotTasks = async (): Promise<DashboardTask[]> => Promise.all(ids.map(async (id) => withStart(await hive.getTask(id), started)));

    if (tty) {
      const live = (screen = new LiveScreen(out as WriteStream));
      const draw = async () => {
        const model = dashboardModel({
          title: `hivestate demo: build orchestration, speed ${speed}x`,
          now: Date.now(),
          agents: (await hive.listAgents()).reverse(), // team order: oldest first
          tasks: await snapshotTasks(),
          phaseOf: (t) => phaseOf(t.id),
          roleOf: (a) => buildTeam.find((m) => m.spec.id === a.id)?.role ?? a.capabilities.join(','),
          expectedMs: (type) => (workProfile[type] ? workProfile[type].ms / speed : undefined),
          note: `data ${options.dataDir}; Ctrl-C stops, the same command resumes`,
          elapsedMs: clock.elapsedMs(),
        });
        live.draw(renderDashboard(model, { width: live.size.width, height: live.size.height - 1, color: true }));
      };
      let drawing = false;
      ticker = setInterval(
        () => {
          if (drawing) return;
          drawing = true;
          void draw()
            .catch(() => undefined)
            .finally(() => (drawing = false));
        },
        1000 / (options.fps ?? 4),
      );
      await draw();
    } else {
      out.write(
        `hivestate demo: ${resumed ? 'resuming' : 'starting'} build orchestration in ${options.dataDir} (speed ${speed}x, ${ids.length} tasks, ${buildTeam.length} agents)\n`,
      );
      offs.push(hive.on('*', (e) => plainLine(out, e)));
      ticker = setInterval(
        () =>
          void summaryLine(hive, ids)
            .then((l) => out.write(l))
            .catch(() => undefined),
        5000,
      );
    }

    const stop = new Promise<'stopped'>((resolve) => {
      if (options.signal?.aborted) return resolve('stopped');
      options.signal?.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    const finished = Promise.all(ids.map((id) => hive.waitForTask(id))).then(() => 'finished' as const);
    const outcome = await Promise.race([stop, finished]);
    if (ticker) clearInterval(ticker);
    const views = await Promise.all(ids.map((id) => hive.getTask(id)));
    if (screen && outcome === 'finished') {
      const model = dashboardModel({
        title: `hivestate demo: build orchestration, speed ${speed}x`,
        now: Date.now(),
        agents: (await hive.listAgents()).reverse(),
        tasks: views.map((v) => withStart(v, started)),
        phaseOf: (t) => phaseOf(t.id),
        roleOf: (a) => buildTeam.find((m) => m.spec.id === a.id)?.role ?? a.capabilities.join(','),
        elapsedMs: clock.elapsedMs(),
      });
      screen.draw(renderDashboard(model, { width: screen.size.width, height: screen.size.height - 1, color: true }));
    }
    const byStatus: Record<string, number> = {};
    for (const v of views) byStatus[v.status] = (byStatus[v.status] ?? 0) + 1;
    const report = await hive.report();
    return { stopped: outcome === 'stopped', tasks: ids.length, byStatus, resumed, elapsedMs: clock.elapsedMs(), report };
  } finally {
    clock.stop();
    if (ticker) clearInterval(ticker);
    screen?.end();
    for (const off of offs) off();
    await hive.close();
  }
}

function withStart(view: TaskView, started: Map<string, number>): DashboardTask {
  const at = started.get(view.id);
  return at === undefined ? view : { ...view, startedAt: at };
}

const clockTime = (at: number) => new Date(at).toISOString().slice(11, 19);

function plainLine(out: NodeJS.WritableStream, e: HiveEvent): void {
  const at = clockTime(typeof e.at === 'number' ? e.at : Date.now());
  const error = e.error as { message?: string } | undefined;
  switch (e.type) {
    case 'task.started':
      return void out.write(`${at} started   ${String(e.taskId)} on ${String(e.agentId)} (attempt ${String(e.attempt)})\n`);
    case 'task.completed':
    case 'task.verified':
      return void out.write(`${at} ${e.type === 'task.verified' ? 'verified ' : 'completed'} ${String(e.taskId)}\n`);
    case 'task.auction.awarded':
      return void out.write(`${at} auction   ${String(e.taskId)} won by ${String(e.agentId)} at ${String(e.price)} (round ${String(e.round)})\n`);
    case 'worker.finished':
      return void out.write(
        `${at} worker    ${String(e.colonyId)}/${String(e.workerId)} ${(e.report as { status?: string } | undefined)?.status ?? 'finished'}\n`,
      );
    case 'agent.error':
      return void out.write(`${at} agent     ${String(e.agentId)} failed repeatedly; the lead restarts it shortly\n`);
    case 'task.retrying':
      return void out.write(`${at} retrying  ${String(e.taskId)} after attempt ${String(e.attempt)}: ${error?.message ?? 'failed'}\n`);
    case 'phase.completed':
      return void out.write(`${at} phase     ${String(e.phase)} complete: ${String(e.done)}/${String(e.total)} tasks finished\n`);
    case 'task.escalated':
      return void out.write(`${at} escalated ${String(e.taskId)}: ${String(e.reason)}\n`);
    case 'task.failed':
    case 'task.cancelled':
    case 'task.timed_out':
    case 'task.rejected':
      return void out.write(`${at} ${e.type.slice(5)} ${String(e.taskId)}${error ? `: ${error.message}` : ''}\n`);
    default:
      return;
  }
}

async function summaryLine(hive: Hive, ids: string[]): Promise<string> {
  const views = await Promise.all(ids.map((id) => hive.getTask(id)));
  const done = views.filter((v) => isTerminalTaskStatus(v.status)).length;
  const running = views.filter((v) => v.status === 'running').length;
  return `${clockTime(Date.now())} progress  ${done}/${ids.length} tasks done, ${running} running\n`;
}

/** One line describing a finished or stopped demo run. */
export function describeDemoResult(r: DemoResult): string {
  const statuses = Object.entries(r.byStatus)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const line = r.stopped
    ? `hivestate demo: stopped after ${formatDuration(r.elapsedMs)} (${statuses}); run the same command again to resume`
    : `hivestate demo: all ${r.tasks} tasks finished (${statuses}) in ${formatDuration(r.elapsedMs)}${r.resumed ? ' after resuming' : ''}`;
  return r.stopped ? line : `${line}\n${describeReport(r.report)}`;
}
