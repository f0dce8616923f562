/**
 * @module The torture intruder: tries to open the data directory (argv[2]) as a second writer while
 * the child holds it, and prints 'locked' (refused, as it must be) or 'opened'.
 */
import { pino } from 'pino';
import { createHive, isHiveError } from '../../src/index.js';

try {
  const hive = await createHive({ dataDir: process.argv[2]!, logger: pino({ level: 'silent' }) });
  process.stdout.write('opened\n');
  await hive.close();
} catch (err) {
  process.stdout.write(isHiveError(err, 'locked') ? 'locked\n' : `error ${(err as Error).message}\n`);
}
