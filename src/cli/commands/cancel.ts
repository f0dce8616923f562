/** @module The `cancel` command: cancels an unfinished task (running hive or not). */
import type { Command } from 'commander';
import { dataDirOption } from '../dataDirOption.js';
import { runHiveCommand } from '../runHiveCommand.js';

/**
 * Registers `hivestate cancel <id> [--by OWNER] [--data-dir D] [--json]`.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'cancel', 'build:ui'])
 */
export function register(program: Command): void {
  program
    .command('cancel')
    .description('cancel an unfinished task')
    .argument('<id>', 'task id')
    .addOption(dataDirOption())
    .option('--by <owner>', 'who cancels (required for tasks posted with an owner)')
    .option('--json', 'print the task view as JSON')
    .addHelpText(
      'after',
      '\nA program holding the directory with createHive({ control: true }) (or `hivestate demo`) gets the\nrequest through its local control channel; a free directory is opened intake-only (nothing runs).',
    )
    .action(async (id: string, o: { dataDir: string; by?: string; json?: boolean }) => {
      const view = (await runHiveCommand(o.dataDir, { op: 'cancel', taskId: id, ...(o.by !== undefined ? { by: o.by } : {}) })) as {
        id: string;
        status: string;
      };
      process.stdout.write(o.json ? `${JSON.stringify(view)}\n` : `${view.id} ${view.status}\n`);
    });
}
