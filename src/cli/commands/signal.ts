/** @module The `signal` command: sends a named JSON value to a task whose handler waits for it (running hive or not). */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Json } from '../../../machines/types.js';
import { dataDirOption } from '../dataDirOption.js';
import { runHiveCommand } from '../runHiveCommand.js';

function jsonValue(value: string): Json {
  try {
    return JSON.parse(value) as Json;
  } catch (err) {
    throw new InvalidArgumentError(`is not valid JSON (${(err as Error).message}).`);
  }
}

/**
 * Registers `hivestate signal <task> <name> [--value JSON] [--data-dir D] [--json]`.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'signal', 'deploy-1', 'approve', '--value', '{"ok":true}'])
 */
export function register(program: Command): void {
  program
    .command('signal')
    .description('send a signal (a named JSON value) to a task, e.g. an approval its handler waits for')
    .argument('<task>', 'task id')
    .argument('<name>', 'signal name, as the handler passes it to ctx.waitForSignal(name)')
    .addOption(dataDirOption())
    .addOption(new Option('-v, --value <json>', 'the value as JSON (default: null)').argParser(jsonValue))
    .option('--json', 'print the task view as JSON')
    .addHelpText(
      'after',
      `
A task waiting for this signal is queued again and its handler gets the value; a task not waiting
yet keeps it until its handler asks. A running hive on the directory gets the signal through its
local control channel (the demo opens one); otherwise the signal is journaled in the directory and
delivered when a hive next opens it, so nothing sent while the program is down is lost.

Example: hivestate signal deploy-1 approve --value '{"ok":true,"by":"alice"}'`,
    )
    .action(async (task: string, name: string, o: { dataDir: string; value?: Json; json?: boolean }) => {
      const view = (await runHiveCommand(o.dataDir, { op: 'signal', taskId: task, name, value: o.value ?? null })) as { id: string; status: string };
      process.stdout.write(o.json ? `${JSON.stringify(view)}\n` : `signalled ${view.id} ${name} (${view.status})\n`);
    });
}
