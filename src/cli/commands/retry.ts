/** @module The `retry` command: puts a failed, timed-out or rejected task back in the queue (running hive or not). */
import type { Command } from 'commander';
import { dataDirOption } from '../dataDirOption.js';
import { runHiveCommand } from '../runHiveCommand.js';

/**
 * Registers `hivestate retry <id> [--by OWNER] [--data-dir D] [--json]`.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'retry', 'build:ui'])
 */
export function register(program: Command): void {
  program
    .command('retry')
    .description('retry a failed, timed-out or rejected task as a new attempt')
    .argument('<id>', 'task id')
    .addOption(dataDirOption())
    .option('--by <owner>', 'who retries (required for tasks posted with an owner)')
    .option('--json', 'print the task view as JSON')
    .addHelpText(
      'after',
      `
A running hive on the directory gets the request through its local control channel (the demo
opens one); otherwise the retry is journaled and the task runs when a hive with a handler for its
type next opens the directory.

Example: hivestate retry build:ui --by alice`,
    )
    .action(async (id: string, o: { dataDir: string; by?: string; json?: boolean }) => {
      const view = (await runHiveCommand(o.dataDir, { op: 'retry', taskId: id, ...(o.by !== undefined ? { by: o.by } : {}) })) as {
        id: string;
        status: string;
        attempts: number;
      };
      process.stdout.write(o.json ? `${JSON.stringify(view)}\n` : `${view.id} ${view.status} (retried after attempt ${view.attempts})\n`);
    });
}
