/** @module dataDirOption: the `--data-dir` option every command shares, and the `[dir]` argument some also take. */
import { Option, type Command } from 'commander';
import { defaultHiveOptions } from '../createHive.js';
import { ValidationError } from '../errors.js';

/**
 * A fresh `--data-dir <dir>` option (defaults to ./.hivestate).
 * @example program.command('status').addOption(dataDirOption())
 */
export function dataDirOption(): Option {
  return new Option('-d, --data-dir <dir>', 'hive data directory').default(defaultHiveOptions.dataDir);
}

/** Help of the optional `[dir]` argument that `dataDirOf` reads. */
export const dirArgumentHelp = 'hive data directory (the same as --data-dir)';

/**
 * The directory a command with an optional `[dir]` argument and `--data-dir` works on: `dir` when
 * given, else `--data-dir` (or its default). Both given and different is a mistake, not a choice.
 * @example .argument('[dir]', dirArgumentHelp).action((dir, o, cmd: Command) => withReadStore(dataDirOf(dir, cmd), ...))
 */
export function dataDirOf(dir: string | undefined, command: Command): string {
  const option = command.opts<{ dataDir: string }>().dataDir;
  if (dir === undefined) return option;
  if (command.getOptionValueSource('dataDir') !== 'default' && option !== dir)
    throw new ValidationError('dir', `names ${JSON.stringify(dir)} but --data-dir names ${JSON.stringify(option)}; give one of them`);
  return dir;
}

/** Help text appended to commands that read a directory without taking its lock. */
export const readOnlyNote = `
Reads the data directory read-only and takes no lock, so it works while a hive (for example
\`hivestate demo\`) is running there, and after one was killed. It shows every journaled input:
the last checkpoint plus the journal after it, replayed in memory (no handler runs, nothing is written).`;
