/** @module The `dashboard` command: attaches to a hive's data directory read-only and draws the live dashboard. */
import type { WriteStream } from 'node:tty';
import { Option, type Command } from 'commander';
import type { ReadStore } from '../../query/readStore.js';
import { dashboardModel, type DashboardTask } from '../dashboard/dashboardModel.js';
import { LiveScreen } from '../dashboard/LiveScreen.js';
import { renderDashboard } from '../dashboard/renderDashboard.js';
import { dataDirOption, readOnlyNote } from '../dataDirOption.js';
import { withReadStore } from '../withReadStore.js';
import { positiveInt } from '../optionValues.js';

/** Builds one frame from a read-only view: unfinished tasks plus the most recent finished ones. */
function frame(view: ReadStore, dir: string, size: { width: number; height: number }, color: boolean): string[] {
  const status = view.status();
  const tasks = new Map<string, DashboardTask>();
  // Oldest first, so that phases appear in the order the tasks were posted.
  for (const t of view.tasks({ limit: 500 }).reverse()) tasks.set(t.id, t);
  for (const t of view.unfinishedTasks()) tasks.set(t.id, t);
  const { total: _total, ...counts } = status.tasks;
  const model = dashboardModel({
    title: `hivestate dashboard: ${dir}`,
    now: Date.now(),
    agents: view.agents(),
    tasks: [...tasks.values()],
    counts: counts as Record<string, number>,
    phaseOf: (t) => (t.id.includes(':') ? t.id.slice(0, t.id.indexOf(':')) : t.type),
    note: `read-only, ${status.writerPid !== undefined ? `hive running (pid ${status.writerPid})` : 'no hive running'}; as of input ${status.appliedSeq}`,
  });
  return renderDashboard(model, { ...size, color });
}

/**
 * Registers `hivestate dashboard [--data-dir D] [--interval MS] [--once]`.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'dashboard', '--once'])
 */
export function register(program: Command): void {
  program
    .command('dashboard')
    .description('attach to a hive read-only and show the live dashboard')
    .addOption(dataDirOption())
    .addOption(new Option('--interval <ms>', 'redraw period').default(500).argParser(positiveInt))
    .option('--once', 'print one frame and exit (the default when stdout is not a terminal)')
    .addHelpText('after', `${readOnlyNote}\nCtrl-C detaches (the hive keeps running).`)
    .action(async (o: { dataDir: string; interval: number; once?: boolean }) => {
      const out = process.stdout as WriteStream;
      await withReadStore(o.dataDir, async (view) => {
        if (o.once || !out.isTTY) {
          const lines = frame(view, o.dataDir, { width: out.columns || 100, height: out.rows || 40 }, false);
          return void out.write(`${lines.join('\n')}\n`);
        }
        const screen = new LiveScreen(out);
        await new Promise<void>((resolve) => {
          const tick = () => {
            view.refresh();
            screen.draw(frame(view, o.dataDir, { width: screen.size.width, height: screen.size.height - 1 }, true));
          };
          tick();
          const timer = setInterval(tick, o.interval);
          process.once('SIGINT', () => {
            clearInterval(timer);
            process.exitCode = 130;
            resolve();
          });
        });
        screen.end();
      });
    });
}
