/** @module The `tasks` command: lists tasks newest first, filtered by status or type, read-only. */
import { Option, type Command } from 'commander';
import { positiveInt } from '../optionValues.js';
import { dataDirOption, readOnlyNote } from '../dataDirOption.js';
import { printTable } from '../printTable.js';
import { withReadStore } from '../withReadStore.js';

const taskStatuses = [
  'delayed',
  'pending',
  'assigned',
  'running',
  'waiting',
  'verifying',
  'retrying',
  'suspended',
  'completed',
  'verified',
  'failed',
  'timed_out',
  'rejected',
  'cancelled',
];

/**
 * Registers `hivestate tasks [--status S] [--type T] [--limit N] [--data-dir D] [--json]`.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'tasks', '--status', 'running'])
 */
export function register(program: Command): void {
  program
    .command('tasks')
    .description('list tasks (newest first)')
    .addOption(dataDirOption())
    .addOption(new Option('-s, --status <status>', 'only tasks in this status').choices(taskStatuses))
    .option('-t, --type <type>', 'only tasks of this type')
    .addOption(new Option('-n, --limit <n>', 'at most this many').default(20).argParser(positiveInt))
    .option('--json', 'print a JSON array of task views')
    .addHelpText('after', readOnlyNote)
    .action(async (o: { dataDir: string; status?: string; type?: string; limit: number; json?: boolean }) => {
      await withReadStore(o.dataDir, (view) => {
        const tasks = view.tasks({ ...(o.status ? { status: o.status } : {}), ...(o.type ? { type: o.type } : {}), limit: o.limit });
        if (o.json) return void process.stdout.write(`${JSON.stringify(tasks)}\n`);
        const rows = tasks.map((t) => ({
          id: t.id,
          type: t.type,
          status: t.status,
          pri: t.priority,
          attempts: t.attempts,
          agent: t.assignedTo,
          progress: t.progress ? `${Math.round(t.progress.pct)}%` : undefined,
          error: t.error ? `${t.error.code}: ${t.error.message}` : undefined,
        }));
        process.stdout.write(rows.length === 0 ? 'no tasks\n' : printTable(rows, ['id', 'type', 'status', 'pri', 'attempts', 'agent', 'progress', 'error']));
      });
    });
}
