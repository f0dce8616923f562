/** @module The `backup` command: a consistent copy of a hive's data file, also while the hive runs. */
import type { Command } from 'commander';
import { backupDataDir } from '../../store/backupDataDir.js';

/**
 * Registers `hivestate backup <dir> <file> [--compact] [--json]`.
 * @example register(program); await program.parseAsync(['node', 'hivestate', 'backup', './.hivestate', 'hive.bak'])
 */
export function register(program: Command): void {
  program
    .command('backup')
    .description("copy a hive's data file consistently, also while the hive runs")
    .argument('<dir>', 'hive data directory')
    .argument('<file>', 'the copy to write (must not exist)')
    .option('--compact', 'leave out free pages (slower, smaller copy)')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      `
The copy is one committed state of the hive, made through LMDB's own copy: every input acknowledged
before the backup began is in it. It takes no lock, so the hive keeps running. To restore, stop the
hive and put the file, named hive.lmdb, in an empty directory (or in place of the old one).`,
    )
    .action(async (dir: string, file: string, o: { compact?: boolean; json?: boolean }) => {
      const r = await backupDataDir(dir, file, { compact: o.compact ?? false });
      if (o.json) return void process.stdout.write(`${JSON.stringify(r)}\n`);
      process.stdout.write(
        `backed up ${dir} to ${r.file}: ${r.bytes} bytes, inputs up to ${r.lastSeq}, ${r.storedTasks} tasks stored at its last checkpoint\n`,
      );
    });
}
