/** @module dataDirOption: the `--data-dir` option every command shares. */
import { Option } from 'commander';
import { defaultHiveOptions } from '../createHive.js';

/**
 * A fresh `--data-dir <dir>` option (defaults to ./.hivestate).
 * @example program.command('status').addOption(dataDirOption())
 */
export function dataDirOption(): Option {
  return new Option('-d, --data-dir <dir>', 'hive data directory').default(defaultHiveOptions.dataDir);
}

/** Help text appended to commands that read a directory without taking its lock. */
export const readOnlyNote = `
Reads the data directory read-only and takes no lock, so it works while a hive (for example
\`hivestate demo\`) is running there, and after one was killed. It shows every journaled input:
the last checkpoint plus the journal after it, replayed in memory (no handler runs, nothing is written).`;
