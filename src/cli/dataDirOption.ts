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
\`hivestate demo\`) is running there. It shows the hive as of its last checkpoint (written every
second or 1000 inputs by default, and on close): a running hive's view lags by up to that much.`;
